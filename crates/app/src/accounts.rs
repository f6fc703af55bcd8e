//! Accounts, logins throttled per client address, sessions kept in the database, and data scope.

mod throttle;

use crate::audit::Appender;
use crate::{AppError, AppResult, ErrorKind, Platform, clock, keys};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssj_domain::audit::snapshot;
use ssj_domain::{
    AuditEntry, DataScope, DisplayName, DivisionCode, Password, Permission, Role, Username,
};
use ssj_storage::{Department, NewUser, Session, Tx, User};
use throttle::{Closed, Start};
pub use throttle::{LoginGuard, MAX_SOURCES};

/// Who is acting: a logged-in user, or the local operator at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub department_id: Option<i64>,
    pub division: Option<DivisionCode>,
    pub role: Role,
    pub scope: DataScope,
}

impl Actor {
    /// The operator of the `shuangsuiji` command, who has the database in hand anyway.
    pub fn command_line() -> Actor {
        Actor {
            user_id: None,
            name: "命令行".into(),
            department_id: None,
            division: None,
            role: Role::SystemAdmin,
            scope: DataScope::All,
        }
    }

    pub fn can(&self, p: Permission) -> bool {
        self.role.can(p)
    }

    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::forbidden("您的角色无权进行此操作"))
        }
    }

    /// The roles this actor may give (the rule [`Platform::create_user`] applies).
    pub fn grantable_roles(&self) -> impl Iterator<Item = Role> + '_ {
        Role::ALL.into_iter().filter(|r| self.role.may_grant(*r))
    }

    /// The data scopes this actor may give: none wider than their own.
    pub fn grantable_scopes(&self) -> impl Iterator<Item = DataScope> + '_ {
        DataScope::ALL
            .into_iter()
            .filter(|s| self.scope.includes(*s))
    }

    /// Whether this actor's data scope includes department `d`.
    pub fn covers(&self, d: &Department) -> bool {
        match (self.department_id, &self.division) {
            (Some(own), Some(div)) => self.scope.covers(own, div, d.id, &d.division),
            _ => self.scope == DataScope::All,
        }
    }

    /// A record of this actor's action, filed under the actor's department; services file it
    /// under the department whose data changed when there is one, so scopes see their changes.
    pub fn entry(&self, action: &str, target_type: &str, target_id: impl ToString) -> AuditEntry {
        AuditEntry {
            actor_id: self.user_id,
            actor_name: self.name.clone(),
            department_id: self.department_id,
            action: action.into(),
            target_type: target_type.into(),
            target_id: target_id.to_string(),
            before: None,
            after: None,
            reason: None,
        }
    }
}

/// What an account looks like in the audit log: never the password hash.
#[derive(Serialize)]
struct UserSnapshot<'a> {
    username: &'a str,
    display_name: &'a str,
    department_id: i64,
    role: &'static str,
    scope: &'static str,
    active: bool,
    locked_until_ms: Option<i64>,
}

fn user_snapshot(u: &User) -> String {
    snapshot(&UserSnapshot {
        username: &u.username,
        display_name: &u.display_name,
        department_id: u.department_id,
        role: u.role.key(),
        scope: u.scope.key(),
        active: u.active,
        locked_until_ms: u.locked_until_ms,
    })
}

pub fn hash_password(p: &Password) -> AppResult<String> {
    Argon2::default()
        .hash_password(p.expose().as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("密码加密失败：{e}")))
}

fn password_matches(hash: &str, candidate: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(candidate.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn no_such_user() -> AppError {
    AppError::not_found("USER_NOT_FOUND", "账号不存在")
}

/// What a login attempt came to.
pub enum LoginOutcome {
    /// The cookie token (shown once, stored only as its hash) and the session's CSRF token.
    LoggedIn {
        user: User,
        token: String,
        csrf: String,
    },
    /// Refused: the same error for every reason, so that answers do not tell names apart.
    Refused(AppError),
    /// Too many failures from this client address; the others may go on trying.
    Throttled { error: AppError, retry_after_s: i64 },
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub role: String,
    pub scope: Option<String>,
    pub password: String,
    /// Whether the password was chosen by someone other than the holder (generated, or typed
    /// by an administrator): then it is changed at the first login.
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct AccountChange {
    pub display_name: String,
    pub department_id: i64,
    pub role: String,
    pub scope: String,
    pub active: bool,
    pub reason: Option<String>,
}

impl Platform {
    pub async fn actor_for(&self, user: &User) -> AppResult<Actor> {
        let dept = self.store.department(user.department_id).await?;
        Ok(Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            department_id: Some(user.department_id),
            division: dept.map(|d| d.division),
            role: user.role,
            scope: user.scope,
        })
    }

    /// Checks a password for a client at `source` (its address, or "unknown").
    ///
    /// Failures are counted per source in memory ([`throttle`] has the scheme): too many from
    /// one source and it gets [`LoginOutcome::Throttled`] for the rest of its window, before any
    /// lookup. Every other refusal reads the same — malformed or unknown name, wrong password,
    /// disabled or locked account — so the answers do not tell which names exist. A malformed
    /// name is never looked up, stored or echoed. The log gets one record when a burst of
    /// failures opens and one summary when it closes, not one per request; an account is
    /// locked only after [`crate::Policy::max_failed_logins`] consecutive wrong passwords.
    pub async fn login(
        &self,
        source: &str,
        username: &str,
        password: &str,
    ) -> AppResult<LoginOutcome> {
        let now = clock::now_ms();
        let source = throttle::source_key(source);
        let mut closed = Vec::new();
        let attempt = match self.logins.start(&source, now, &self.policy, &mut closed) {
            Start::Go(a) => a,
            Start::Refused(ms) => {
                self.log_bursts(&closed, now).await?;
                return Ok(LoginOutcome::Throttled {
                    error: throttled(ms),
                    retry_after_s: (ms + 999) / 1000,
                });
            }
        };
        let Ok(name) = Username::parse(username) else {
            let first = attempt.failed(None).first;
            let mut e = anonymous().entry("auth.login_failed", "client", &source);
            e.reason = Some(format!("用户名格式无效（来源 {source}）"));
            self.log_failure(first.then_some(e), &closed, now).await?;
            return Ok(LoginOutcome::Refused(bad_credentials()));
        };
        let name = name.as_str().to_string();
        let user = self.store.user_by_name(&name).await?;
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        // No valid password is longer than 128 characters; do not hash megabytes for nothing.
        let candidate = (password.len() <= 4 * 128).then(|| password.to_string());
        // Argon2 is slow by design: keep it off the async workers. Unknown users cost the same.
        let ok = tokio::task::spawn_blocking(move || match (hash, candidate) {
            (Some(h), Some(c)) => password_matches(&h, &c),
            (None, Some(c)) => {
                let _ = password_matches(DUMMY_HASH, &c);
                false
            }
            (_, None) => false,
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;

        let named = Actor {
            name: name.clone(),
            ..anonymous()
        };
        let Some(user) = user else {
            let first = attempt.failed(Some(&name)).first;
            let mut e = named.entry("auth.login_failed", "user", &name);
            e.reason = Some(format!("用户名不存在（来源 {source}）"));
            self.log_failure(first.then_some(e), &closed, now).await?;
            return Ok(LoginOutcome::Refused(bad_credentials()));
        };
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut fresh = tx.user_for_update(user.id).await?.unwrap_or(user);
        let actor = Actor {
            user_id: Some(fresh.id),
            department_id: Some(fresh.department_id),
            ..named
        };
        let refusal = if !fresh.active {
            Some("账号已停用")
        } else if fresh.locked_until_ms.is_some_and(|u| u > now) {
            Some("账号锁定中")
        } else if !ok {
            Some("密码错误")
        } else {
            None
        };
        if let Some(reason) = refusal {
            let mut entries = Vec::new();
            if reason == "密码错误" {
                let before = user_snapshot(&fresh);
                fresh.failed_logins += 1;
                if fresh.failed_logins >= self.policy.max_failed_logins {
                    fresh.failed_logins = 0;
                    fresh.locked_until_ms = Some(now + self.policy.lockout_ms);
                    let mut e = actor.entry("auth.locked", "user", fresh.id);
                    e.reason = Some(format!(
                        "连续 {} 次密码错误（最后一次来源 {source}）",
                        self.policy.max_failed_logins
                    ));
                    e.before = Some(before);
                    e.after = Some(user_snapshot(&fresh));
                    entries.push(e);
                }
                tx.update_user(&fresh).await?;
            }
            if attempt.failed(Some(&name)).first {
                let mut e = actor.entry("auth.login_failed", "user", fresh.id);
                e.reason = Some(format!("{reason}（来源 {source}）"));
                entries.insert(0, e);
            }
            for e in entries.into_iter().chain(closed.iter().map(burst_entry)) {
                log.append(&mut *tx, e, now).await?;
            }
            tx.commit().await?;
            return Ok(LoginOutcome::Refused(bad_credentials()));
        }
        if fresh.failed_logins != 0 || fresh.locked_until_ms.is_some() {
            fresh.failed_logins = 0;
            fresh.locked_until_ms = None;
            tx.update_user(&fresh).await?;
        }
        let token = keys::random_hex(32);
        let csrf = keys::random_hex(32);
        tx.insert_session(&Session {
            token_hash: token_hash(&token),
            user_id: fresh.id,
            csrf_token: csrf.clone(),
            created_ms: now,
            last_seen_ms: now,
        })
        .await?;
        closed.extend(attempt.succeeded());
        log.append(&mut *tx, actor.entry("auth.login", "user", fresh.id), now)
            .await?;
        for e in closed.iter().map(burst_entry) {
            log.append(&mut *tx, e, now).await?;
        }
        tx.commit().await?;
        Ok(LoginOutcome::LoggedIn {
            user: fresh,
            token,
            csrf,
        })
    }

    /// Writes the record that opens a burst of failures, if due, and any summaries due.
    async fn log_failure(
        &self,
        first: Option<AuditEntry>,
        closed: &[Closed],
        now: i64,
    ) -> AppResult<()> {
        if first.is_none() && closed.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        for e in first.into_iter().chain(closed.iter().map(burst_entry)) {
            log.append(&mut *tx, e, now).await?;
        }
        tx.commit().await.map_err(Into::into)
    }

    async fn log_bursts(&self, closed: &[Closed], now: i64) -> AppResult<()> {
        self.log_failure(None, closed, now).await
    }

    /// Summarises the bursts of failed logins whose windows are over (run periodically by the
    /// server, so that a burst's count reaches the log even if its source never comes back).
    pub async fn flush_login_bursts(&self) -> AppResult<usize> {
        let now = clock::now_ms();
        let closed = self.logins.sweep(now, &self.policy);
        self.log_bursts(&closed, now).await?;
        Ok(closed.len())
    }

    /// The user behind a session cookie, if the session is alive; refreshes its idle timer.
    /// A session idle past the policy, or older than its absolute lifetime however active, is
    /// deleted and refused.
    pub async fn session_user(&self, token: &str) -> AppResult<Option<(User, Session)>> {
        let now = clock::now_ms();
        let Some(session) = self.store.session(&token_hash(token)).await? else {
            return Ok(None);
        };
        if now - session.last_seen_ms > self.policy.session_idle_ms
            || now - session.created_ms > self.policy.session_max_ms
        {
            let mut tx = self.store.begin().await?;
            tx.delete_session(&session.token_hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let Some(user) = self.store.user(session.user_id).await?.filter(|u| u.active) else {
            return Ok(None);
        };
        // Touch at most once a minute: a page view should not always cost a write.
        if now - session.last_seen_ms > 60_000 {
            let mut tx = self.store.begin().await?;
            tx.touch_session(&session.token_hash, now).await?;
            tx.commit().await?;
        }
        Ok(Some((user, session)))
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let Some((user, session)) = self.session_user(token).await? else {
            return Ok(());
        };
        let actor = self.actor_for(&user).await?;
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        tx.delete_session(&session.token_hash).await?;
        log.append(
            &mut *tx,
            actor.entry("auth.logout", "user", user.id),
            clock::now_ms(),
        )
        .await?;
        tx.commit().await.map_err(Into::into)
    }

    /// Departments the actor may see, or `None` for all.
    pub async fn visible_departments(&self, actor: &Actor) -> AppResult<Option<Vec<i64>>> {
        if actor.scope == DataScope::All {
            return Ok(None);
        }
        let all = self.store.departments().await?;
        Ok(Some(
            all.iter()
                .filter(|d| actor.covers(d))
                .map(|d| d.id)
                .collect(),
        ))
    }

    async fn department_in_scope(&self, actor: &Actor, id: i64) -> AppResult<Department> {
        let d = self
            .store
            .department(id)
            .await?
            .ok_or_else(|| AppError::invalid("DEPARTMENT_NOT_FOUND", "所选部门不存在"))?;
        if !actor.covers(&d) {
            return Err(AppError::forbidden("该部门不在您的数据范围内"));
        }
        Ok(d)
    }

    /// Accounts the actor may see.
    pub async fn users_visible_to(&self, actor: &Actor) -> AppResult<Vec<User>> {
        let visible = self.visible_departments(actor).await?;
        let users = self.store.users().await?;
        Ok(users
            .into_iter()
            .filter(|u| {
                visible
                    .as_ref()
                    .is_none_or(|v| v.contains(&u.department_id))
            })
            .collect())
    }

    /// An account by its login name, if the actor's scope covers it.
    pub async fn user_by_name(&self, actor: &Actor, username: &str) -> AppResult<User> {
        let u = self
            .store
            .user_by_name(&username.trim().to_ascii_lowercase())
            .await?
            .ok_or_else(|| {
                AppError::not_found("USER_NOT_FOUND", format!("账号 {} 不存在", username.trim()))
            })?;
        self.department_in_scope(actor, u.department_id).await?;
        Ok(u)
    }

    pub async fn user_visible_to(&self, actor: &Actor, id: i64) -> AppResult<User> {
        let u = self.store.user(id).await?.ok_or_else(no_such_user)?;
        self.department_in_scope(actor, u.department_id).await?;
        Ok(u)
    }

    pub async fn create_user(&self, actor: &Actor, a: NewAccount) -> AppResult<User> {
        actor.require(Permission::ManageUsers)?;
        let username = Username::parse(&a.username)?;
        let display_name = DisplayName::parse(&a.display_name)?;
        let role = Role::parse(&a.role)?;
        let scope = match a.scope.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => DataScope::parse(s)?,
            None => role.default_scope(),
        };
        let password =
            Password::parse_with(&a.password, Some(username.as_str()), &self.policy.passwords)?;
        may_give(actor, role, scope)?;
        self.department_in_scope(actor, a.department_id).await?;
        if self.store.user_by_name(username.as_str()).await?.is_some() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "USERNAME_TAKEN",
                format!("用户名 {} 已被使用", username.as_str()),
            ));
        }
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AppError::internal(e.to_string()))??;
        let now = clock::now_ms();
        let new = NewUser {
            username: username.as_str().into(),
            display_name: display_name.as_str().into(),
            department_id: a.department_id,
            role,
            scope,
            password_hash,
            created_ms: now,
            must_change_password: a.must_change_password
                && self.policy.passwords.force_change_generated,
        };
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let id = tx.insert_user(&new).await.map_err(|e| match e {
            ssj_storage::StorageError::Conflict(_) => AppError::new(
                ErrorKind::Conflict,
                "USERNAME_TAKEN",
                format!("用户名 {} 已被使用", new.username),
            ),
            other => other.into(),
        })?;
        let user = tx
            .user_for_update(id)
            .await?
            .ok_or_else(|| AppError::internal("新账号读取失败"))?;
        let mut e = actor.entry("user.create", "user", id);
        e.department_id = Some(user.department_id);
        e.after = Some(user_snapshot(&user));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn update_user(&self, actor: &Actor, id: i64, c: AccountChange) -> AppResult<User> {
        actor.require(Permission::ManageUsers)?;
        let display_name = DisplayName::parse(&c.display_name)?;
        let role = Role::parse(&c.role)?;
        let scope = DataScope::parse(&c.scope)?;
        let current = self.user_visible_to(actor, id).await?;
        self.department_in_scope(actor, c.department_id).await?;
        if actor.user_id == Some(id)
            && (role != current.role
                || scope != current.scope
                || c.department_id != current.department_id
                || !c.active)
        {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "SELF_CHANGE",
                "不能修改自己的角色、数据范围或所属部门，也不能停用自己的账号；请由上级管理员办理",
            ));
        }
        may_manage(actor, &current)?;
        may_give(actor, role, scope)?;
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let before = tx.user_for_update(id).await?.ok_or_else(no_such_user)?;
        let mut after = before.clone();
        after.display_name = display_name.as_str().into();
        after.department_id = c.department_id;
        after.role = role;
        after.scope = scope;
        after.active = c.active;
        if after == before {
            return Ok(before);
        }
        tx.update_user(&after).await?;
        if !after.active || after.role != before.role {
            tx.delete_user_sessions(id).await?;
        }
        let action = if after.role != before.role {
            "user.role_change"
        } else {
            "user.update"
        };
        let mut e = actor.entry(action, "user", id);
        e.department_id = Some(after.department_id);
        e.before = Some(user_snapshot(&before));
        e.after = Some(user_snapshot(&after));
        e.reason = c.reason.filter(|r| !r.trim().is_empty());
        log.append(&mut *tx, e, clock::now_ms()).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a password: one's own (knowing the current one), or another's as an administrator,
    /// who chose it: the holder then changes it at the next login.
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        current: Option<&str>,
        new: &str,
    ) -> AppResult<()> {
        self.change_password(actor, id, current, new, true).await
    }

    /// An administrator's reset that says whether the holder chose the password: at the
    /// command line, a 系统管理员 who typed `user passwd admin --password …` for their own
    /// locked account is not sent to change it again; a generated one is changed.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: i64,
        new: &str,
        holder_must_change: bool,
    ) -> AppResult<()> {
        self.change_password(actor, id, None, new, holder_must_change)
            .await
    }

    async fn change_password(
        &self,
        actor: &Actor,
        id: i64,
        current: Option<&str>,
        new: &str,
        holder_must_change: bool,
    ) -> AppResult<()> {
        let own = actor.user_id == Some(id);
        let user = if own {
            self.store.user(id).await?.ok_or_else(no_such_user)?
        } else {
            actor.require(Permission::ManageUsers)?;
            let u = self.user_visible_to(actor, id).await?;
            may_manage(actor, &u)?;
            u
        };
        let password = Password::parse_with(new, Some(&user.username), &self.policy.passwords)?;
        if own {
            let (hash, cur) = (
                user.password_hash.clone(),
                current.unwrap_or_default().to_string(),
            );
            let ok = tokio::task::spawn_blocking(move || password_matches(&hash, &cur))
                .await
                .map_err(|e| AppError::internal(e.to_string()))?;
            if !ok {
                return Err(AppError::invalid(
                    "PASSWORD_CURRENT_WRONG",
                    "当前密码不正确",
                ));
            }
        }
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AppError::internal(e.to_string()))??;
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut u = tx.user_for_update(id).await?.ok_or_else(no_such_user)?;
        u.password_hash = hash;
        u.failed_logins = 0;
        u.locked_until_ms = None;
        u.password_changed_ms = clock::now_ms();
        // A password someone else chose is the holder's to replace at the next login.
        u.must_change_password =
            !own && holder_must_change && self.policy.passwords.force_change_generated;
        tx.update_user(&u).await?;
        tx.delete_user_sessions(id).await?;
        let mut e = actor.entry("user.password", "user", id);
        e.department_id = Some(u.department_id);
        e.reason = Some(if own {
            "本人修改密码".into()
        } else {
            "管理员重置密码".into()
        });
        log.append(&mut *tx, e, clock::now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Why this account must choose a new password before anything else, if it must: the
    /// password was set by someone else, or is older than the policy allows.
    pub fn password_change_due(&self, u: &User) -> Option<&'static str> {
        if u.must_change_password {
            return Some("您的密码由管理员设置或系统生成，请先修改为只有您知道的密码");
        }
        let max_age_ms = i64::from(self.policy.passwords.max_age_days?) * 86_400_000;
        (clock::now_ms() - u.password_changed_ms > max_age_ms)
            .then_some("您的密码已超过有效期，请修改密码后继续使用")
    }

    /// Lifts a lock-out before its 15 minutes are over.
    pub async fn unlock_user(&self, actor: &Actor, id: i64) -> AppResult<()> {
        actor.require(Permission::ManageUsers)?;
        let target = self.user_visible_to(actor, id).await?;
        may_manage(actor, &target)?;
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let before = tx.user_for_update(id).await?.ok_or_else(no_such_user)?;
        let mut after = before.clone();
        after.failed_logins = 0;
        after.locked_until_ms = None;
        tx.update_user(&after).await?;
        let mut e = actor.entry("user.unlock", "user", id);
        e.department_id = Some(after.department_id);
        e.before = Some(user_snapshot(&before));
        e.after = Some(user_snapshot(&after));
        log.append(&mut *tx, e, clock::now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes sessions idle past the policy (run periodically by the server).
    pub async fn expire_sessions(&self) -> AppResult<u64> {
        let mut tx: Box<dyn Tx> = self.store.begin().await?;
        let n = tx
            .delete_idle_sessions(clock::now_ms() - self.policy.session_idle_ms)
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// Refuses to give a role or a data scope wider than the actor's own: a 部门管理员 cannot make
/// anyone (themselves included) a 系统管理员 or give the scope 全部.
fn may_give(actor: &Actor, role: Role, scope: DataScope) -> AppResult<()> {
    if !actor.role.may_grant(role) {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "ROLE_NOT_GRANTABLE",
            format!("您无权授予“{}”角色", role.label()),
        ));
    }
    if !actor.scope.includes(scope) {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "SCOPE_NOT_GRANTABLE",
            format!(
                "不能授予比您本人（{}）更宽的数据范围“{}”",
                actor.scope.label(),
                scope.label()
            ),
        ));
    }
    Ok(())
}

/// Refuses to act on an account that holds more than the actor may give: only a 系统管理员
/// edits, unlocks or resets a 系统管理员, and nobody touches an account with a wider scope.
fn may_manage(actor: &Actor, target: &User) -> AppResult<()> {
    if !actor.role.may_grant(target.role) || !actor.scope.includes(target.scope) {
        return Err(AppError::new(
            ErrorKind::Forbidden,
            "ACCOUNT_OUT_OF_REACH",
            format!(
                "该账号为“{}”（数据范围“{}”），超出您的管理权限",
                target.role.label(),
                target.scope.label()
            ),
        ));
    }
    Ok(())
}

/// A real argon2id hash of a random string, so that unknown usernames cost a verification too.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Qh3iH2fYBp5Jz8tX9m0lZg8oJc2H0L9m3sJ3Yv8mWJw";

/// The same words and code for every refused login — malformed or unknown name, wrong
/// password, disabled or locked account — so that answers do not tell names apart.
fn bad_credentials() -> AppError {
    AppError::new(
        ErrorKind::Unauthenticated,
        "LOGIN_FAILED",
        "用户名或密码错误；如确认无误仍无法登录，请联系管理员",
    )
}

fn throttled(retry_ms: i64) -> AppError {
    AppError::new(
        ErrorKind::Unauthenticated,
        "LOGIN_THROTTLED",
        format!(
            "尝试过于频繁，请 {} 分钟后再试",
            (retry_ms + 59_999) / 60_000
        ),
    )
}

/// Whoever is at the login form before they are known.
fn anonymous() -> Actor {
    Actor {
        name: "匿名".into(),
        ..Actor::command_line()
    }
}

/// The one record that sums up a burst of failed logins from one source.
fn burst_entry(c: &Closed) -> AuditEntry {
    let b = &c.burst;
    let mut tried = b.names.join("、");
    if b.malformed > 0 {
        if !tried.is_empty() {
            tried.push('、');
        }
        tried.push_str(&format!("格式无效的用户名 {} 次", b.malformed));
    }
    let mut e = anonymous().entry("auth.login_failures", "client", &c.source);
    e.reason = Some(format!(
        "自 {} 起 {} 次失败，{} 次因尝试过于频繁被拒绝；所用用户名：{}",
        clock::format_ms(b.start_ms),
        b.failures,
        b.refused,
        if tried.is_empty() { "无" } else { &tried }
    ));
    e
}

impl Platform {
    /// Display names of every account, for naming the targets of audit records.
    pub async fn user_names(&self) -> AppResult<std::collections::HashMap<i64, String>> {
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect())
    }
}
