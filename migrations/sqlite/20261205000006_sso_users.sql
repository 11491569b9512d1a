-- Users who log in through single sign-on: `sso_subject` is the provider's issuer and subject
-- (`https://idp.example.com#248289761001`), which stays when the person's name or e-mail
-- changes. Their `password_hash` is unusable: no password logs them in here.
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject ON users (sso_subject) WHERE sso_subject IS NOT NULL;
