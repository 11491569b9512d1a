use crate::api::{
    load_users, AdminAddUser, AdminChangeUser, AdminGrant, AdminResetPassword, AdminRevoke,
};
use crate::components::{HeaderBar, Moment};
use crate::dto::{GrantItem, UserItem, UsersOverview};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Global roles; `none` leaves only what grants give.
const ROLES: [&str; 5] = ["none", "viewer", "developer", "maintainer", "admin"];
/// Roles a grant may give.
pub(crate) const GRANT_ROLES: [&str; 4] = ["viewer", "developer", "maintainer", "admin"];

/// `/admin/users` (admins): every user with role, state, last login and source; add a user (a
/// one-time password is generated and shown here once), change a role, disable or enable,
/// reset a password (shown once), end a user's sessions. Plain forms; each change is audited.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let overview = Resource::new(|| (), |_| load_users());
    let notice = move || {
        let query = query.read();
        if let Some(reason) = query.get("failed") {
            return Some(view! { <p class="error" role="alert">{reason}</p> }.into_any());
        }
        let said = match (query.get("added"), query.get("reset"), query.get("changed")) {
            (Some(_), _, _) => "User added.",
            (_, Some(_), _) => "Password reset; the user's sessions ended.",
            (_, _, Some(_)) => "Changed.",
            _ => return None,
        };
        Some(view! { <p class="notice ok" role="status">{said}</p> }.into_any())
    };
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Users"</h1>
            {notice}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(UsersOverview { users, one_time_password, places }) => view! {
                            {one_time_password.map(|(user, password)| view! {
                                <p class="notice warn" role="status" aria-label="One-time password">
                                    "The password of " <strong>{user}</strong> " is "
                                    <code class="mono">{password}</code>
                                    ". It is shown only now: hand it over, they change it on their settings page."
                                </p>
                            })}
                            <GrantForm usernames=users.iter().map(|u| u.username.clone()).collect() places back="list" />
                            <UsersTable users />
                            <AddUserForm />
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn UsersTable(users: Vec<UserItem>) -> impl IntoView {
    view! {
        <table class="history" aria-label="Users">
            <thead><tr>
                <th>"User"</th><th>"Role"</th><th>"State"</th><th>"Last login"</th><th>"Since"</th>
                <th>"Source"</th><th>"Grants"</th><th></th>
            </tr></thead>
            <tbody>
                {users.into_iter().map(|user| view! { <UserRow user /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(user: UserItem) -> impl IntoView {
    let change = ServerAction::<AdminChangeUser>::new();
    let reset = ServerAction::<AdminResetPassword>::new();
    let name = user.username.clone();
    let toggle = if user.disabled { "enable" } else { "disable" };
    let labels = [
        format!("Role of {name}"),
        format!("{toggle} {name}"),
        format!("Reset the password of {name}"),
        format!("End the sessions of {name}"),
    ];
    let [role_label, toggle_label, reset_label, end_label] = labels;
    let names = [name.clone(), name.clone(), name.clone(), name];
    let [for_role, for_toggle, for_reset, for_end] = names;
    view! {
        <tr>
            <td class="mono"><a href=crate::routes::admin_user(&user.username)>{user.username.clone()}</a></td>
            <td>
                <ActionForm action=change attr:aria-label=role_label attr:class="inline">
                    <input type="hidden" name="username" value=for_role />
                    <input type="hidden" name="change" value="role" />
                    <select name="role">
                        {ROLES.into_iter().map(|role| view! {
                            <option value=role selected=user.role == role>{role}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">"Set role"</button>
                </ActionForm>
            </td>
            <td>{if user.disabled { "disabled" } else { "active" }}</td>
            <td class="nowrap">{user.last_login_at.map(|when| view! { <Moment when /> })}</td>
            <td class="nowrap"><Moment when=user.created_at /></td>
            <td>{user.source}</td>
            <td><Grants username=user.username.clone() grants=user.grants back="list" /></td>
            <td class="actions">
                <ActionForm action=change attr:aria-label=toggle_label attr:class="inline">
                    <input type="hidden" name="username" value=for_toggle />
                    <input type="hidden" name="change" value=toggle />
                    <button type="submit" class="secondary">{if user.disabled { "Enable" } else { "Disable" }}</button>
                </ActionForm>
                <ActionForm action=reset attr:aria-label=reset_label attr:class="inline">
                    <input type="hidden" name="username" value=for_reset />
                    <button type="submit" class="secondary">"Reset password"</button>
                </ActionForm>
                <ActionForm action=change attr:aria-label=end_label attr:class="inline">
                    <input type="hidden" name="username" value=for_end />
                    <input type="hidden" name="change" value="end-sessions" />
                    <button type="submit" class="secondary">"End sessions"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn AddUserForm() -> impl IntoView {
    let add = ServerAction::<AdminAddUser>::new();
    view! {
        <h2>"Add a user"</h2>
        <ActionForm action=add attr:aria-label="Add a user">
            <label>"Name " <input name="username" required /></label>
            <label>"Role "
                <select name="role">
                    {ROLES.into_iter().map(|role| view! {
                        <option value=role selected=role == "developer">{role}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Add user"</button>
            <span class="muted">" A password is generated and shown once."</span>
        </ActionForm>
    }
}

/// A user's grants, each with a button that revokes it.
#[component]
pub(crate) fn Grants(
    username: String,
    grants: Vec<GrantItem>,
    back: &'static str,
) -> impl IntoView {
    let revoke = ServerAction::<AdminRevoke>::new();
    let items = grants.into_iter().map(|grant| {
        let label = format!("Revoke {} in {} of {username}", grant.role, grant.place);
        let username = username.clone();
        view! {
            <li>
                {format!("{} in {} ", grant.role, grant.place)}
                <ActionForm action=revoke attr:aria-label=label attr:class="inline">
                    <input type="hidden" name="username" value=username />
                    <input type="hidden" name="place" value=grant.place />
                    <input type="hidden" name="back" value=back />
                    <button type="submit" class="secondary small">"Revoke"</button>
                </ActionForm>
            </li>
        }
    });
    view! { <ul class="plain">{items.collect_view()}</ul> }
}

/// Gives a user a role at one registry or environment (or changes the role of the grant
/// there). With one username the form is that user's; with several it asks which.
#[component]
pub(crate) fn GrantForm(
    usernames: Vec<String>,
    places: Vec<String>,
    back: &'static str,
) -> impl IntoView {
    let grant = ServerAction::<AdminGrant>::new();
    let who = match usernames.as_slice() {
        [one] => view! { <input type="hidden" name="username" value=one.clone() /> }.into_any(),
        _ => view! {
            <label>"User "
                <select name="username">
                    {usernames.into_iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
        }.into_any(),
    };
    view! {
        <h2>"Grant a role at one place"</h2>
        <ActionForm action=grant attr:aria-label="Grant a role">
            {who}
            <input type="hidden" name="back" value=back />
            <label>"Role "
                <select name="role">
                    {GRANT_ROLES.into_iter().map(|role| view! {
                        <option value=role selected=role == "developer">{role}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>" at "
                <select name="place">
                    {places.into_iter().map(|place| view! { <option value=place.clone()>{place.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit">"Grant"</button>
            <span class="muted">" Beside the global role; the higher of the two counts there."</span>
        </ActionForm>
    }
}
