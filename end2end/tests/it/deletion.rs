//! Deletion in a real Chromium and over HTTP, against a real registry: a tag is deleted from
//! its page through the confirmation page (what stays, what goes), shows in the trash, is
//! restored and is back in the tag table; a developer asking the server directly to delete in
//! protected prod gets a 403, and so does an admin who did not type the reference.

use end2end::app_fixture::seeded_app_with_pipeline;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for_text,
    wait_until_indexed,
};
use end2end::Browser;
use fantoccini::Locator;

#[tokio::test]
async fn delete_a_tag_find_it_in_the_trash_and_restore_it() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;

    // `latest` shares 1.2.0's image: deleting it would keep the image.
    open(&client, &app.url, "/delete/local/dev/shop-api:latest").await;
    let fate = wait_for_text(&client, "table[aria-label='What goes'] tbody", "latest").await;
    assert!(fate.contains("the image stays with 1.2.0"), "{fate}");

    open(&client, &app.url, "/i/local/dev/shop-api:1.1.0").await;
    click(&client, Locator::LinkText("Delete this tag…")).await;
    let fate = wait_for_text(&client, "table[aria-label='What goes'] tbody", "1.1.0").await;
    assert!(fate.contains("the image goes"), "{fate}");
    wait_for_text(
        &client,
        "[aria-label=Freed]",
        "Garbage collection then frees",
    )
    .await;
    screenshot(&client, "delete-confirmation").await;
    click(&client, Locator::XPath("//button[text()='Delete 1 tag']")).await;

    wait_for_text(&client, "[role=status]", "Deleted.").await;
    let trash = wait_for_text(
        &client,
        "table[aria-label=Trash] tbody",
        "dev/shop-api:1.1.0",
    )
    .await;
    assert!(
        trash.contains("admin") && trash.contains("(image deleted)"),
        "{trash}"
    );
    screenshot(&client, "trash").await;
    open(&client, &app.url, "/r/local/dev/shop-api").await;
    let tags = wait_for_text(&client, "table[aria-label=Tags] tbody", "1.2.0").await;
    assert!(!tags.contains("1.1.0"), "gone from the tag table: {tags}");

    open(&client, &app.url, "/trash").await;
    click(&client, Locator::XPath("//button[text()='Restore']")).await;
    wait_for_text(&client, "[role=status]", "Restored").await;
    wait_for_text(&client, "table[aria-label=Trash] tbody", "restored").await;
    open(&client, &app.url, "/r/local/dev/shop-api").await;
    wait_for_text(&client, "table[aria-label=Tags] tbody", "1.1.0").await;
    assert_no_console_errors(&client).await;
    browser.close().await;
}

#[tokio::test]
async fn select_rows_of_the_tag_table_and_delete_them_in_one_confirmation() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;
    open(&client, &app.url, "/r/local/dev/shop-api").await;
    wait_for_text(&client, "table[aria-label=Tags] tbody", "1.0.0").await;
    for tag in ["1.0.0", "1.1.0"] {
        let checkbox = format!("input[aria-label='Select {tag}']");
        click(&client, Locator::Css(&checkbox)).await;
    }
    click(
        &client,
        Locator::XPath("//button[text()='Delete selected…']"),
    )
    .await;
    let fate = wait_for_text(&client, "table[aria-label='What goes'] tbody", "1.1.0").await;
    assert!(fate.contains("1.0.0") && !fate.contains("1.2.0"), "{fate}");
    click(&client, Locator::XPath("//button[text()='Delete 2 tags']")).await;
    wait_for_text(&client, "[role=status]", "Deleted.").await;
    let trash = wait_for_text(&client, "table[aria-label=Trash] tbody", "1.1.0").await;
    assert!(trash.contains("dev/shop-api:1.0.0"), "{trash}");
    assert_no_console_errors(&client).await;
    browser.close().await;
}

#[tokio::test]
async fn prod_refuses_a_developer_and_an_admin_who_did_not_type_the_reference() {
    let (registry, app) = seeded_app_with_pipeline().await;
    app.add_user("dana", "developer", "developer-pass").unwrap();
    let delete = |user: &'static str, password: &'static str, typed: Option<&'static str>| {
        let app_url = app.url.clone();
        async move {
            let http = end2end::app_fixture::log_in(&app_url, user, password)
                .await
                .unwrap();
            let mut form = vec![
                ("registry", "local"),
                ("repository", "prod/shop-api"),
                ("tags", "1.0.0"),
            ];
            form.extend(typed.map(|t| ("confirmation", t)));
            let response = http
                .post(app_url.join("/api/delete").unwrap())
                .form(&form)
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let still_there = || async {
        let url = registry
            .url
            .join("v2/prod/shop-api/manifests/1.0.0")
            .unwrap();
        let head = registry.http_client().unwrap().head(url);
        head.header("accept", "application/vnd.oci.image.manifest.v1+json")
            .send()
            .await
            .unwrap()
            .status()
            == 200
    };
    let (status, body) = delete("dana", "developer-pass", Some("prod/shop-api:1.0.0")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("only an admin"), "{body}");
    assert!(still_there().await, "nothing was deleted");
    let (admin, password) = (
        end2end::app_fixture::ADMIN_USER,
        end2end::app_fixture::ADMIN_PASSWORD,
    );
    let (status, body) = delete(admin, password, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("type `prod/shop-api:1.0.0`"), "{body}");
    assert!(still_there().await);
    let (status, body) = delete(admin, password, Some("prod/shop-api:1.0.0")).await;
    assert_eq!(status, 200, "{body}");
    assert!(!still_there().await, "deleted once confirmed");
}
