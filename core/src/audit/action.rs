/// Every kind of audited action. The stored name (`as_str`) is what auditors filter on: never
/// rename one, add new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    LoginSuccess,
    LoginFailure,
    LoginThrottled,
    Logout,
    UserAdd,
    UserPasswd,
    UserDisable,
    UserEnable,
    UserRole,
    UserSessionsEnd,
    UserGrant,
    UserRevoke,
    Promotion,
    TagDelete,
    TagRestore,
    RetentionPolicySave,
    RetentionPolicyDelete,
    RetentionRun,
    GcRun,
    GcScheduleSave,
    TokenCreate,
    TokenRevoke,
    TokenUse,
    TokenRefused,
    DatabaseMigrated,
}

impl AuditAction {
    /// Every action, for filters by family (`gc` → `gc.run`, `gc.schedule.save`). A new action
    /// goes here too.
    pub const ALL: &[AuditAction] = &[
        Self::LoginSuccess,
        Self::LoginFailure,
        Self::LoginThrottled,
        Self::Logout,
        Self::UserAdd,
        Self::UserPasswd,
        Self::UserDisable,
        Self::UserEnable,
        Self::UserRole,
        Self::UserSessionsEnd,
        Self::UserGrant,
        Self::UserRevoke,
        Self::Promotion,
        Self::TagDelete,
        Self::TagRestore,
        Self::RetentionPolicySave,
        Self::RetentionPolicyDelete,
        Self::RetentionRun,
        Self::GcRun,
        Self::GcScheduleSave,
        Self::TokenCreate,
        Self::TokenRevoke,
        Self::TokenUse,
        Self::TokenRefused,
        Self::DatabaseMigrated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSuccess => "login.success",
            Self::LoginFailure => "login.failure",
            Self::LoginThrottled => "login.throttled",
            Self::Logout => "logout",
            Self::UserAdd => "user.add",
            Self::UserPasswd => "user.passwd",
            Self::UserDisable => "user.disable",
            Self::UserEnable => "user.enable",
            Self::UserRole => "user.role",
            Self::UserSessionsEnd => "user.sessions.end",
            Self::UserGrant => "user.grant",
            Self::UserRevoke => "user.revoke",
            Self::Promotion => "promotion",
            Self::TagDelete => "tag.delete",
            Self::TagRestore => "tag.restore",
            Self::RetentionPolicySave => "retention.policy.save",
            Self::RetentionPolicyDelete => "retention.policy.delete",
            Self::RetentionRun => "retention.run",
            Self::GcRun => "gc.run",
            Self::GcScheduleSave => "gc.schedule.save",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
            Self::TokenUse => "token.use",
            Self::TokenRefused => "token.refused",
            Self::DatabaseMigrated => "database.migrated",
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
