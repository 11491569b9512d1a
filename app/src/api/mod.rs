//! Server functions, one per file. Each is a thin adapter: who is calling, one domain call,
//! map to a DTO.

mod audit;
mod check_registry;
mod dashboard;
mod deletion;
mod gc;
mod image_details;
mod list_repositories;
mod list_tags;
mod login;
mod logout;
mod promotion;
mod retention;
mod search;
mod storage;
mod tokens;
mod users;
mod who_am_i;

pub use audit::{load_audit, LoadAudit};
pub use check_registry::{check_registry, CheckRegistry};
pub use dashboard::{load_dashboard, LoadDashboard};
pub use deletion::{
    delete_tags, list_trash, preview_deletion, restore_from_trash, running_deletions, DeleteTags,
    ListTrash, PreviewDeletion, RestoreFromTrash, RunningDeletions,
};
pub use gc::{
    load_gc, load_gc_run, run_gc, running_gc, save_gc_schedule, LoadGc, LoadGcRun, RunGc,
    RunningGc, SaveGcSchedule,
};
pub use image_details::{image_details, ImageDetails};
pub use list_repositories::{list_repositories, ListRepositories};
pub use list_tags::{list_tags, ListTags};
pub use login::{login, Login};
pub use logout::{logout, Logout};
pub use promotion::{
    pipeline_of, preview_promotion, promote, promotion_history, running_promotions, PipelineOf,
    PreviewPromotion, Promote, PromotionHistory, RunningPromotions,
};
pub use retention::{
    delete_retention_policy, load_retention, preview_retention, retention_run_details,
    run_retention, save_retention_policy, DeleteRetentionPolicy, LoadRetention, PreviewRetention,
    RetentionRunDetails, RunRetention, SaveRetentionPolicy,
};
pub use search::{search, Search};
pub use storage::{load_storage, LoadStorage};
pub use tokens::{create_token, load_tokens, revoke_token, CreateToken, LoadTokens, RevokeToken};
pub use users::{
    admin_add_user, admin_change_user, admin_reset_password, change_own_password,
    end_own_other_sessions, end_session, load_rights, load_users, AdminAddUser, AdminChangeUser,
    AdminGrant, AdminResetPassword, AdminRevoke, ChangeOwnPassword, EndOwnOtherSessions,
    EndSession, LoadUsers,
};
pub use who_am_i::{who_am_i, WhoAmI};
