//! Dashboard users: names, roles, password hashes. Registry credentials are elsewhere.

mod grant;
mod grant_store;
mod password;
mod role;
mod store;
mod username;

pub use grant::{grantable, Grant, Place};
pub use grant_store::{
    all_grants, delete_grant, grants_of, put_grant, replace_sso_grants, SSO_GRANTOR,
};
pub use password::{
    check_new_password, generate_password, hash_password, verify_password, PasswordHash,
};
pub use role::Role;
pub use store::{
    bump_session_epoch, count_enabled_admins, count_users, create_sso_user, create_user,
    find_by_id, find_by_name, find_by_sso_subject, list_users, record_login, set_disabled,
    set_password_hash, set_role, User,
};
pub use username::Username;
