//! Passwords are stored as argon2id PHC strings (OWASP's first choice), never in clear, with
//! the argon2 crate's defaults: argon2id v19, 19 MiB of memory, 2 passes, 1 lane (OWASP's
//! recommended minimum). New passwords have at least 8 characters and are not one of the most
//! common passwords (zxcvbn's list of 30,000, with their l33t and reversed forms) nor something
//! guessed in under 1,000 tries.

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::{distributions::Alphanumeric, Rng};
use secrecy::{ExposeSecret, SecretString};

/// An argon2id hash in PHC string format (`$argon2id$v=19$...`).
#[derive(Debug, Clone)]
pub struct PasswordHash(pub String);

/// The shortest password we accept.
pub const MIN_PASSWORD_LEN: usize = 8;

pub fn hash_password(password: &SecretString) -> Result<PasswordHash, String> {
    check_new_password(password.expose_secret())?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|hash| PasswordHash(hash.to_string()))
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// Why `password` may not be chosen, if it may not.
pub fn check_new_password(password: &str) -> Result<(), String> {
    use zxcvbn::feedback::Warning;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(format!(
            "a password has at least {MIN_PASSWORD_LEN} characters"
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, &[]);
    let warning = estimate.feedback().and_then(|f| f.warning());
    let common = matches!(
        warning,
        Some(
            Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword
        )
    );
    if common || estimate.score() == zxcvbn::Score::Zero {
        let why = warning.map(|w| format!(" ({w})")).unwrap_or_default();
        return Err(format!(
            "that password is among the first ones an attacker tries{why}: choose another"
        ));
    }
    Ok(())
}

/// Constant-time verification; a malformed stored hash counts as a mismatch.
pub fn verify_password(password: &SecretString, hash: &PasswordHash) -> bool {
    argon2::password_hash::PasswordHash::new(&hash.0)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random 20-character password for the first admin (about 119 bits).
pub fn generate_password() -> SecretString {
    let password: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect();
    password.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(&"correct horse".into()).unwrap();
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(verify_password(&"correct horse".into(), &hash));
        assert!(!verify_password(&"correct hors".into(), &hash));
    }

    #[test]
    fn common_passwords_are_refused_and_ordinary_ones_pass() {
        for common in [
            "password",
            "12345678",
            "P@ssw0rd",
            "qwertyuiop",
            "iloveyou",
            "drowssap",
        ] {
            assert!(
                check_new_password(common)
                    .unwrap_err()
                    .contains("first ones an attacker tries"),
                "{common}"
            );
        }
        for fine in [
            "developer-pass",
            "correct horse",
            "admin-password-for-tests",
            "Harbor12345x",
        ] {
            assert_eq!(check_new_password(fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(hash_password(&"short".into())
            .unwrap_err()
            .contains("at least 8"));
    }

    #[test]
    fn generated_passwords_differ_and_are_long_enough() {
        let (a, b) = (generate_password(), generate_password());
        assert_eq!(a.expose_secret().len(), 20);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
