//! Pull commands for the tools people use, by tag or by digest.

/// The tools offered in the pull-command menu.
pub const TOOLS: [&str; 4] = ["docker", "podman", "skopeo", "crane"];

/// `image` is `host[:port]/repository`; `reference` is `:tag` or `@sha256:…`.
pub fn pull_command(tool: &str, image: &str, reference: &str) -> String {
    match tool {
        "podman" => format!("podman pull {image}{reference}"),
        "skopeo" => format!("skopeo copy docker://{image}{reference} oci-archive:image.tar"),
        "crane" => format!("crane pull {image}{reference} image.tar"),
        _ => format!("docker pull {image}{reference}"),
    }
}

#[cfg(test)]
mod tests {
    use super::pull_command;

    #[test]
    fn commands_name_the_image_by_tag_or_digest() {
        assert_eq!(
            pull_command("docker", "r:5000/dev/app", ":1.0"),
            "docker pull r:5000/dev/app:1.0"
        );
        assert_eq!(
            pull_command("crane", "r/dev/app", "@sha256:ab"),
            "crane pull r/dev/app@sha256:ab image.tar"
        );
        assert!(pull_command("skopeo", "r/a", ":1").starts_with("skopeo copy docker://r/a:1 "));
    }
}
