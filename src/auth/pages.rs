//! The public account pages (sign in, sign up, password reset) and the account page.

use super::api::{
    ChangePassword, RequestPasswordReset, ResetPassword, RevokeSession, SignIn, SignOutEverywhere,
    SignUp, UpdateProfile, load_account,
};
use super::model::SessionInfo;
use crate::shell::{AppLayout, PublicLayout, error_view, global_nav};
use crate::ui::{
    Badge, Button, Card, Field, FormAlert, Notice, PageHeader, Table, Tone, Variant, field_error,
    last_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query(name: &str) -> Option<String> {
    use_query_map().get_untracked().get(name)
}

fn sign_in_notice(key: &str) -> Option<&'static str> {
    match key {
        "signed_out" => Some("You are signed out."),
        "signed_out_everywhere" => Some("You are signed out on every device."),
        "password_reset" => Some("Your password is changed. Sign in with the new one."),
        _ => None,
    }
}

/// `/sign-in`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = last_error(action);
    let next = query("next");
    view! {
        <Title text="Sign in" />
        <PublicLayout>
            <h1 class="text-2xl font-semibold tracking-tight">"Sign in to Revdesk"</h1>
            <div class="mt-6 grid gap-4">
                <Notice messages=sign_in_notice />
                <FormAlert error=error.clone() />
                <ActionForm action=action attr:class="card grid gap-4">
                    <input type="hidden" name="next" value=next />
                    <Field name="email" label="Email" kind="email" required=true autocomplete="username" error=field_error(&error, "email") />
                    <Field name="password" label="Password" kind="password" required=true autocomplete="current-password" error=field_error(&error, "password") />
                    <Button>"Sign in"</Button>
                </ActionForm>
                <p class="text-sm">
                    <a class="link" href="/forgot-password">"Forgot your password?"</a>
                </p>
                <p class="text-sm text-muted">
                    "New to Revdesk? " <a class="link" href="/sign-up">"Create an organization"</a>
                </p>
            </div>
        </PublicLayout>
    }
}

/// `/sign-up`: a new organization and its owner.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = last_error(action);
    view! {
        <Title text="Create an organization" />
        <PublicLayout>
            <h1 class="text-2xl font-semibold tracking-tight">"Create your organization"</h1>
            <p class="mt-1 text-sm text-muted">"You will be its owner, and can invite your team next."</p>
            <div class="mt-6 grid gap-4">
                <FormAlert error=error.clone() />
                <ActionForm action=action attr:class="card grid gap-4">
                    <Field name="name" label="Your name" required=true autocomplete="name" error=field_error(&error, "name") />
                    <Field name="email" label="Work email" kind="email" required=true autocomplete="email" error=field_error(&error, "email") />
                    <Field name="password" label="Password" kind="password" required=true autocomplete="new-password"
                        hint="At least 8 characters. A short phrase is easy to remember and hard to guess."
                        error=field_error(&error, "password") />
                    <Field name="organization" label="Organization name" required=true autocomplete="organization" error=field_error(&error, "organization") />
                    <Button>"Create organization"</Button>
                </ActionForm>
                <p class="text-sm text-muted">"Already have an account? " <a class="link" href="/sign-in">"Sign in"</a></p>
            </div>
        </PublicLayout>
    }
}

/// `/forgot-password`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action);
    let notice = |key: &str| {
        (key == "reset_sent").then_some(
            "If that address has an account, a reset link is on its way. It works for one hour.",
        )
    };
    view! {
        <Title text="Reset your password" />
        <PublicLayout>
            <h1 class="text-2xl font-semibold tracking-tight">"Reset your password"</h1>
            <p class="mt-1 text-sm text-muted">"Enter your email and we will send you a link to choose a new password."</p>
            <div class="mt-6 grid gap-4">
                <Notice messages=notice />
                <FormAlert error=error.clone() />
                <ActionForm action=action attr:class="card grid gap-4">
                    <Field name="email" label="Email" kind="email" required=true autocomplete="username" error=field_error(&error, "email") />
                    <Button>"Send reset link"</Button>
                </ActionForm>
                <p class="text-sm"><a class="link" href="/sign-in">"Back to sign in"</a></p>
            </div>
        </PublicLayout>
    }
}

/// `/reset-password?token=…`.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action);
    let token = query("token").unwrap_or_default();
    view! {
        <Title text="Choose a new password" />
        <PublicLayout>
            <h1 class="text-2xl font-semibold tracking-tight">"Choose a new password"</h1>
            <div class="mt-6 grid gap-4">
                <FormAlert error=error.clone() />
                {field_error(&error, "token").map(|m| view! { <p class="field-error" role="alert">{m} " " <a class="link" href="/forgot-password">"Ask for a new link"</a></p> })}
                <ActionForm action=action attr:class="card grid gap-4">
                    <input type="hidden" name="token" value=token />
                    <Field name="password" label="New password" kind="password" required=true autocomplete="new-password"
                        hint="At least 8 characters." error=field_error(&error, "password") />
                    <Button>"Save password"</Button>
                </ActionForm>
            </div>
        </PublicLayout>
    }
}

fn account_notice(key: &str) -> Option<&'static str> {
    match key {
        "profile_saved" => Some("Your profile is saved."),
        "password_changed" => {
            Some("Your password is changed. Your other sessions were signed out.")
        }
        "session_revoked" => Some("That session is signed out."),
        _ => None,
    }
}

/// `/account`: profile, password and sessions.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| load_account());
    let profile = ServerAction::<UpdateProfile>::new();
    let password = ServerAction::<ChangePassword>::new();
    let profile_error = last_error(profile);
    let password_error = last_error(password);
    view! {
        <Title text="Your account" />
        <AppLayout nav=global_nav()>
            <PageHeader title="Your account" description="Your name, your password and where you are signed in." />
            <div class="grid gap-4">
                <Notice messages=account_notice />
                <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
                    {move || {
                        let profile_error = profile_error.clone();
                        let password_error = password_error.clone();
                        Suspend::new(async move {
                            match account.await {
                                Err(e) => error_view(e),
                                Ok(a) => view! {
                                    <div class="grid gap-6 lg:grid-cols-2">
                                        <Card title="Profile">
                                            <FormAlert error=profile_error.clone() />
                                            <ActionForm action=profile attr:class="grid gap-4">
                                                <Field name="name" label="Name" value=a.viewer.name.clone() required=true autocomplete="name" error=field_error(&profile_error, "name") />
                                                <p class="text-sm text-muted">"Email: " {a.viewer.email.clone()}</p>
                                                <div><Button>"Save profile"</Button></div>
                                            </ActionForm>
                                        </Card>
                                        <Card title="Password">
                                            <FormAlert error=password_error.clone() />
                                            <ActionForm action=password attr:class="grid gap-4">
                                                <Field name="current" label="Current password" kind="password" required=true autocomplete="current-password" error=field_error(&password_error, "current") />
                                                <Field name="password" label="New password" kind="password" required=true autocomplete="new-password" hint="At least 8 characters." error=field_error(&password_error, "password") />
                                                <div><Button>"Change password"</Button></div>
                                            </ActionForm>
                                        </Card>
                                    </div>
                                    <Sessions sessions=a.sessions />
                                }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            </div>
        </AppLayout>
    }
}

#[component]
fn Sessions(sessions: Vec<SessionInfo>) -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    view! {
        <Card title="Where you are signed in">
            <Table caption="Active sessions">
                <thead>
                    <tr><th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Signed in"</th><th scope="col">"Last active"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr>
                </thead>
                <tbody>
                    {sessions.into_iter().map(|s| view! {
                        <tr>
                            <td class="max-w-xs truncate">{s.user_agent.unwrap_or_else(|| "Unknown browser".into())}</td>
                            <td>{s.ip.unwrap_or_else(|| "unknown".into())}</td>
                            <td><time datetime=s.created_at.clone()>{s.created_at.get(..16).unwrap_or_default().replace('T', " ")}</time></td>
                            <td><time datetime=s.last_seen_at.clone()>{s.last_seen_at.get(..16).unwrap_or_default().replace('T', " ")}</time></td>
                            <td class="text-right">
                                {if s.current {
                                    view! { <Badge tone=Tone::Info>"This session"</Badge> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="id" value=s.id />
                                            <Button variant=Variant::Secondary>"Sign out"</Button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </Table>
            <ActionForm action=everywhere attr:class="mt-4">
                <Button variant=Variant::Danger>"Sign out everywhere"</Button>
            </ActionForm>
        </Card>
    }
}
