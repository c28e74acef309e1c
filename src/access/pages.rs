//! Members, invitations, teams, roles, effective permissions, and accepting an
//! invitation.

use super::api::{
    AcceptInvitation, ChangeMemberRole, CreateRole, CreateTeam, DeleteRole, GrantRole,
    InviteMember, RemoveMember, ResendInvitation, RevokeGrant, RevokeInvitation,
    load_effective_permissions, load_invitation, load_members, load_roles,
};
use super::model::{
    CustomRole, InvitationRow, LeadScope, MemberRole, MemberRow, MembersData, Permission,
    TeamOption, org_href,
};
use crate::org::pages::org_slug;
use crate::shell::{PublicLayout, error_view, loaded};
use crate::ui::{
    Badge, Button, ButtonLink, Card, EmptyState, Field, FormAlert, Notice, PageHeader, Select,
    Table, Tone, Variant, field_error, last_error,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

fn members_notice(key: &str) -> Option<&'static str> {
    match key {
        "invited" => Some("Invitation sent. It is valid for seven days."),
        "invitation_resent" => Some("Invitation sent again with a new link."),
        "invitation_revoked" => Some("Invitation withdrawn; its link no longer works."),
        "role_changed" => Some("Role changed. It applies from their next click."),
        "member_removed" => Some("Member removed. Their access ended at once."),
        "team_created" => Some("Team created."),
        _ => None,
    }
}

fn role_options() -> Vec<(String, String)> {
    MemberRole::ASSIGNABLE
        .iter()
        .map(|r| (r.key().to_owned(), r.label().to_owned()))
        .collect()
}

fn team_options(teams: &[TeamOption]) -> Vec<(String, String)> {
    std::iter::once((String::new(), "No team".to_owned()))
        .chain(teams.iter().map(|t| (t.id.to_string(), t.name.clone())))
        .collect()
}

/// `/o/{org}/members`.
#[component]
pub fn MembersPage() -> impl IntoView {
    let data = Resource::new(org_slug, load_members);
    view! {
        <Title text="Members" />
        <PageHeader title="Members" description="Who belongs to this organization, their roles, and open invitations." />
        <Notice messages=members_notice />
        {loaded(data, |d| view! { <MembersView d /> })}
    }
}

#[component]
fn MembersView(d: MembersData) -> impl IntoView {
    let org = org_slug();
    let invite = ServerAction::<InviteMember>::new();
    let team = ServerAction::<CreateTeam>::new();
    let invite_error = last_error(invite);
    let team_error = last_error(team);
    let change_error = last_error(ServerAction::<ChangeMemberRole>::new())
        .or_else(|| last_error(ServerAction::<RemoveMember>::new()));
    let can_manage_roles = d.can_manage_roles;
    let member_lines = d
        .members
        .into_iter()
        .map(|m| view! { <MemberLine m org=org.clone() can_manage_roles /> })
        .collect_view();
    let team_badges = d
        .teams
        .iter()
        .map(|t| {
            let name = t.name.clone();
            view! { <li><Badge>{name}</Badge></li> }
        })
        .collect_view();
    let team_choices = team_options(&d.teams);
    let (org_invite, org_team, org_list) = (org.clone(), org.clone(), org);
    view! {
        <div class="grid gap-6">
            <FormAlert error=change_error />
            <Table caption="Members" show_caption=true>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Joined"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {member_lines}
                </tbody>
            </Table>
            <div class="grid gap-6 lg:grid-cols-2">
                <Card title="Invite someone">
                    <FormAlert error=invite_error.clone() />
                    <ActionForm action=invite attr:class="grid gap-4">
                        <input type="hidden" name="org" value=org_invite />
                        <Field name="email" label="Email" kind="email" required=true error=field_error(&invite_error, "email") />
                        <Select name="role" label="Role" options=role_options() selected="sales_rep" error=field_error(&invite_error, "role") />
                        <Select name="team_id" label="Team" options=team_choices error=field_error(&invite_error, "team_id") />
                        <div><Button>"Send invitation"</Button></div>
                    </ActionForm>
                </Card>
                <Card title="Teams">
                    <ul class="mb-4 flex flex-wrap gap-2">
                        {team_badges}
                    </ul>
                    <FormAlert error=team_error.clone() />
                    <ActionForm action=team attr:class="grid gap-4">
                        <input type="hidden" name="org" value=org_team />
                        <Field name="name" label="New team" required=true error=field_error(&team_error, "name") />
                        <div><Button variant=Variant::Secondary>"Create team"</Button></div>
                    </ActionForm>
                </Card>
            </div>
            <Invitations invitations=d.invitations org=org_list />
        </div>
    }
}

#[component]
fn MemberLine(m: MemberRow, org: String, can_manage_roles: bool) -> impl IntoView {
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let owner = m.role == MemberRole::Owner;
    let permissions_href = org_href(&org, &format!("members/{}", m.user_id));
    let org_remove = org.clone();
    let name = m.name.clone();
    let user_id = m.user_id.to_string();
    let user_id_remove = user_id.clone();
    let role_label = format!("Role of {}", m.name);
    let remove_label = format!("Remove {}", m.name);
    view! {
        <tr>
            <td>
                <a class="link font-medium" href=permissions_href>{name}</a>
                <div class="text-xs text-muted">{m.email.clone()}</div>
            </td>
            <td>
                {if owner || !can_manage_roles {
                    view! { <Badge tone=if owner { Tone::Info } else { Tone::Neutral }>{m.role.label()}</Badge> }.into_any()
                } else {
                    view! {
                        <ActionForm action=change attr:class="flex items-end gap-2">
                            <input type="hidden" name="org" value=org.clone() />
                            <input type="hidden" name="user_id" value=user_id.clone() />
                            <Select name="role" label=role_label.clone() hide_label=true options=role_options() selected=m.role.key() suffix=user_id.clone() />
                            <Button variant=Variant::Secondary>"Change"</Button>
                        </ActionForm>
                    }.into_any()
                }}
                {m.grants.iter().map(|g| view! { <Badge tone=Tone::Info>{format!("+ {}", g.label)}</Badge> }).collect_view()}
            </td>
            <td>{m.team.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{m.joined_on.clone()}</td>
            <td class="text-right">
                // An admin is removed only by someone who manages roles (as the server
                // insists, `access::db::remove_member`).
                {(!owner && (can_manage_roles || m.role != MemberRole::Admin)).then(|| view! {
                    <ActionForm action=remove>
                        <input type="hidden" name="org" value=org_remove />
                        <input type="hidden" name="user_id" value=user_id_remove />
                        <Button variant=Variant::Ghost label=remove_label>"Remove"</Button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Invitations(invitations: Vec<InvitationRow>, org: String) -> impl IntoView {
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    if invitations.is_empty() {
        return view! { <EmptyState title="No open invitations" description="Invitations you send appear here until they are accepted." /> }.into_any();
    }
    view! {
        <Table caption="Open invitations" show_caption=true>
            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Team"</th><th scope="col">"Expires"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {invitations.into_iter().map(|i| {
                    let expired = i.status == "expired";
                    let org_resend = org.clone();
                    let org_revoke = org.clone();
                    let id_resend = i.id.to_string();
                    let id_revoke = i.id.to_string();
                    let resend_label = format!("Resend invitation to {}", i.email);
                    let revoke_label = format!("Withdraw invitation to {}", i.email);
                    let expires = i.expires_at.get(..10).unwrap_or_default().to_owned();
                    view! {
                        <tr>
                            <td>{i.email.clone()}</td>
                            <td>{i.role.label()}</td>
                            <td>{i.team.clone().unwrap_or_else(|| "—".into())}</td>
                            <td>
                                {if expired { view! { <Badge tone=Tone::Warning>"Expired"</Badge> }.into_any() }
                                 else { view! { <time datetime=i.expires_at.clone()>{expires}</time> }.into_any() }}
                            </td>
                            <td class="flex justify-end gap-2">
                                <ActionForm action=resend>
                                    <input type="hidden" name="org" value=org_resend />
                                    <input type="hidden" name="id" value=id_resend />
                                    <Button variant=Variant::Secondary label=resend_label>"Resend"</Button>
                                </ActionForm>
                                <ActionForm action=revoke>
                                    <input type="hidden" name="org" value=org_revoke />
                                    <input type="hidden" name="id" value=id_revoke />
                                    <Button variant=Variant::Ghost label=revoke_label>"Withdraw"</Button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </Table>
    }.into_any()
}

fn roles_notice(key: &str) -> Option<&'static str> {
    match key {
        "role_created" => Some("Role created. Grant it to members below."),
        "role_deleted" => Some("Role deleted, and every grant of it."),
        "role_granted" => Some("Role granted. It applies from the member's next click."),
        "grant_revoked" => Some("Grant revoked."),
        _ => None,
    }
}

/// `/o/{org}/roles`: custom roles and extra grants.
#[component]
pub fn RolesPage() -> impl IntoView {
    let data = Resource::new(org_slug, load_roles);
    view! {
        <Title text="Roles" />
        <PageHeader title="Roles and permissions" description="System roles are fixed; custom roles combine permissions from the catalogue. Extra roles can expire." />
        <Notice messages=roles_notice />
        {loaded(data, |d| view! { <RolesView d /> })}
    }
}

#[component]
fn RolesView(d: MembersData) -> impl IntoView {
    let org = org_slug();
    let create = ServerAction::<CreateRole>::new();
    let grant = ServerAction::<GrantRole>::new();
    let create_error = last_error(create);
    let grant_error = last_error(grant);
    let member_options: Vec<(String, String)> = d
        .members
        .iter()
        .filter(|m| m.role != MemberRole::Owner)
        .map(|m| (m.user_id.to_string(), format!("{} ({})", m.name, m.email)))
        .collect();
    let role_choices: Vec<(String, String)> = MemberRole::ASSIGNABLE
        .iter()
        .filter(|r| **r != MemberRole::Partner)
        .map(|r| {
            (
                format!("system:{}", r.key()),
                format!("System: {}", r.label()),
            )
        })
        .chain(
            d.custom_roles
                .iter()
                .map(|r| (format!("custom:{}", r.id), format!("Custom: {}", r.name))),
        )
        .collect();
    let scope_options = [LeadScope::Own, LeadScope::Team, LeadScope::All]
        .iter()
        .map(|s| (format!("{s:?}").to_lowercase(), s.label().to_owned()))
        .collect::<Vec<_>>();
    let granted = d
        .members
        .iter()
        .filter(|m| !m.grants.is_empty())
        .map(|m| {
            let name = m.name.clone();
            let badges = m
                .grants
                .iter()
                .map(|g| view! { <GrantBadge g=g.clone() org=org.clone() member=name.clone() /> })
                .collect_view();
            view! {
                <li class="flex flex-wrap items-center gap-2">
                    <span class="font-medium">{name.clone()}</span>
                    {badges}
                </li>
            }
        })
        .collect_view();
    let (org_roles, org_grant, org_create) = (org.clone(), org.clone(), org);
    view! {
        <div class="grid gap-6">
            <CustomRoles roles=d.custom_roles.clone() org=org_roles />
            <Card title="Members with extra roles">
                <ul class="grid gap-2">{granted}</ul>
            </Card>
            <div class="grid gap-6 lg:grid-cols-2">
                <Card title="Grant a role">
                    <FormAlert error=grant_error.clone() />
                    <ActionForm action=grant attr:class="grid gap-4">
                        <input type="hidden" name="org" value=org_grant />
                        <Select name="user_id" label="Member" options=member_options />
                        <Select name="role" label="Role" options=role_choices error=field_error(&grant_error, "role") />
                        <Field name="expires_on" label="Until (optional)" kind="date" hint="The grant ends at the end of this day (UTC). Leave empty to keep it." error=field_error(&grant_error, "expires_on") />
                        <div><Button>"Grant role"</Button></div>
                    </ActionForm>
                </Card>
                <Card title="Create a custom role">
                    <FormAlert error=create_error.clone() />
                    <ActionForm action=create attr:class="grid gap-4">
                        <input type="hidden" name="org" value=org_create />
                        <Field name="name" label="Name" required=true error=field_error(&create_error, "name") />
                        <Field name="description" label="Description" error=field_error(&create_error, "description") />
                        <Select name="lead_scope" label="Leads it can see" options=scope_options selected="own" error=field_error(&create_error, "lead_scope") />
                        <fieldset class="grid gap-1" aria-describedby=field_error(&create_error, "permissions").map(|_| "permissions-error")>
                            <legend class="field-label">"Permissions"</legend>
                            {Permission::ALL.iter().enumerate()
                                .filter(|(_, p)| !matches!(p, Permission::OrganizationDelete | Permission::OrganizationTransfer))
                                .map(|(i, p)| view! {
                                    <label class="flex items-center gap-2 text-sm">
                                        <input type="checkbox" name=format!("permissions[{i}]") value=p.key() />
                                        <span class="font-mono">{p.key()}</span>
                                    </label>
                                }).collect_view()}
                            {field_error(&create_error, "permissions").map(|e| view! { <p id="permissions-error" class="field-error">{e}</p> })}
                        </fieldset>
                        <div><Button>"Create role"</Button></div>
                    </ActionForm>
                </Card>
            </div>
        </div>
    }
}

#[component]
fn GrantBadge(g: super::model::Grant, org: String, member: String) -> impl IntoView {
    let revoke = ServerAction::<RevokeGrant>::new();
    let label = match &g.expires_on {
        Some(d) => format!("{} until {d}", g.label),
        None => g.label.clone(),
    };
    let revoke_label = format!("Revoke {label} from {member}");
    view! {
        <ActionForm action=revoke attr:class="inline-flex items-center gap-1">
            <input type="hidden" name="org" value=org />
            <input type="hidden" name="id" value=g.id.to_string() />
            <Badge tone=Tone::Info>{label}</Badge>
            <Button variant=Variant::Ghost label=revoke_label>"Revoke"</Button>
        </ActionForm>
    }
}

#[component]
fn CustomRoles(roles: Vec<CustomRole>, org: String) -> impl IntoView {
    let delete = ServerAction::<DeleteRole>::new();
    if roles.is_empty() {
        return view! { <EmptyState title="No custom roles yet" description="Create one below when a system role gives too much or too little." /> }.into_any();
    }
    view! {
        <Table caption="Custom roles" show_caption=true>
            <thead><tr><th scope="col">"Role"</th><th scope="col">"Leads"</th><th scope="col">"Permissions"</th><th scope="col">"Grants"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {roles.into_iter().map(|r| {
                    let org = org.clone();
                    let delete_label = format!("Delete role {}", r.name);
                    view! {
                    <tr>
                        <td><span class="font-medium">{r.name.clone()}</span><div class="text-xs text-muted">{r.description.clone()}</div></td>
                        <td>{r.lead_scope.label()}</td>
                        <td class="text-xs font-mono">{r.permissions.iter().map(|p| p.key()).collect::<Vec<_>>().join(", ")}</td>
                        <td>{r.grants}</td>
                        <td class="text-right">
                            <ActionForm action=delete>
                                <input type="hidden" name="org" value=org />
                                <input type="hidden" name="id" value=r.id.to_string() />
                                <Button variant=Variant::Ghost label=delete_label>"Delete"</Button>
                            </ActionForm>
                        </td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </Table>
    }.into_any()
}

/// `/o/{org}/members/{user_id}`: a member's effective permissions, explained.
#[component]
pub fn MemberPermissionsPage() -> impl IntoView {
    let key = crate::shell::org_and_param("user_id");
    let data = Resource::new(key, |(org, user)| async move {
        let user_id = Uuid::parse_str(&user).map_err(|_| crate::error::AppError::NotFound)?;
        load_effective_permissions(org, user_id).await
    });
    view! {
        <Title text="Effective permissions" />
        <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => error_view(e),
                    Ok(e) => view! {
                        <PageHeader title=format!("{}'s permissions", e.member.name) description=format!("{} · base role {} · {}", e.member.email, e.member.role.label(), e.lead_scope.label())>
                            <ButtonLink href=org_href(&org_slug(), "members") variant=Variant::Secondary>"Back to members"</ButtonLink>
                        </PageHeader>
                        <Table caption="Effective permissions">
                            <thead><tr><th scope="col">"Permission"</th><th scope="col">"Granted by"</th></tr></thead>
                            <tbody>
                                {e.permissions.into_iter().map(|p| view! {
                                    <tr><td class="font-mono">{p.permission.key()}</td><td>{p.sources.join(", ")}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </Table>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/invitations/{token}`: accept an invitation.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.get_untracked().get("token").unwrap_or_default();
    let info = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        load_invitation,
    );
    let action = ServerAction::<AcceptInvitation>::new();
    let error = last_error(action);
    view! {
        <Title text="Accept invitation" />
        <PublicLayout>
            <Suspense fallback=|| view! { <p class="text-sm text-muted">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    let error = error.clone();
                    Suspend::new(async move {
                        let i = match info.await {
                            Ok(i) => i,
                            Err(crate::error::AppError::NotFound) => {
                                return view! {
                                    <h1 class="text-2xl font-semibold">"This invitation link is not valid"</h1>
                                    <p class="mt-2 text-sm text-muted">"It may have been replaced by a newer one. Ask the person who invited you to resend it."</p>
                                }.into_any();
                            }
                            Err(e) => return error_view(e),
                        };
                        let next = format!("/invitations/{token}");
                        view! {
                            <h1 class="text-2xl font-semibold tracking-tight">{format!("Join {}", i.organization)}</h1>
                            <p class="mt-1 text-sm text-muted">{format!("{} is invited as {}.", i.email, i.role.label())}</p>
                            <div class="mt-6 grid gap-4">
                                <FormAlert error=error.clone() />
                                {if !i.open {
                                    view! { <p class="flash flash-error" role="alert">"This invitation has expired or was withdrawn. Ask the organization for a new one."</p> }.into_any()
                                } else if i.account_exists && i.signed_in_as.is_none() {
                                    view! {
                                        <p class="text-sm">"You already have an account. Sign in to accept."</p>
                                        <ButtonLink href=format!("/sign-in?next={}", crate::shell::urlencode(&next))>"Sign in to accept"</ButtonLink>
                                    }.into_any()
                                } else if i.signed_in_as.is_some() {
                                    view! {
                                        <ActionForm action=action attr:class="card grid gap-4">
                                            <input type="hidden" name="token" value=token.clone() />
                                            <p class="text-sm">{format!("You are signed in as {}.", i.signed_in_as.clone().unwrap_or_default())}</p>
                                            <Button>"Accept invitation"</Button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=action attr:class="card grid gap-4">
                                            <input type="hidden" name="token" value=token.clone() />
                                            <Field name="name" label="Your name" required=true autocomplete="name" error=field_error(&error, "name") />
                                            <Field name="password" label="Choose a password" kind="password" required=true autocomplete="new-password" hint="At least 8 characters." error=field_error(&error, "password") />
                                            <Button>"Create account and join"</Button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </div>
                        }.into_any()
                    })
                }}
            </Suspense>
        </PublicLayout>
    }
}
