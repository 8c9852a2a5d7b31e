//! The family page (members, invitations, roles, ownership) and the invitation link's page.
//! Every action is a [`PostForm`], so all of it works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::auth::take_flash;
use crate::api::family::{
    campaign_family, invitation, AcceptInvitation, InviteMember, LeaveCampaign, ResendInvitation, RevokeInvitation,
    SetMemberActive, SetMemberPermissions, SetMemberRole, TransferOwnership,
};
use crate::app::Session;
use crate::components::forms::{form_error, hidden, Changes, Field, FormAlert, PostForm};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::family::{Family, InvitationState, InvitationView, MemberStatus, MemberView, Permissions};
use crate::model::{Flash, Notice, Role};
use crate::urls;

#[component]
pub fn FamilyPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|id| Uuid::parse_str(&id).ok()));
    let family = Resource::new(
        move || (id.get(), Changes::track()),
        |(id, _)| async move {
            match id {
                Some(id) => campaign_family(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match family.await {
                        Ok(family) => view! { <FamilyView family flash/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn FamilyView(family: Family, flash: Option<Flash>) -> impl IntoView {
    let campaign_id = family.campaign_id;
    let owner = family.my_role == Role::Owner && family.editable;
    let invite_flash = flash.clone().filter(|f| f.form == "invite_member");
    let other_error = flash.filter(|f| f.form != "invite_member").map(|f| f.error);
    let (pending, joined): (Vec<MemberView>, Vec<MemberView>) =
        family.members.into_iter().partition(|m| m.status == MemberStatus::Invited);
    let transfer_to: Vec<MemberView> =
        joined.iter().filter(|m| m.status == MemberStatus::Active && m.role != Role::Owner).cloned().collect();
    let me_member = joined.iter().any(|m| m.is_me && m.role != Role::Owner && m.status == MemberStatus::Active);
    view! {
        <Title text=format!("Family · {} · MyStoryFlow", family.campaign_title)/>
        <nav aria-label="Breadcrumb" class="crumbs"><ol>
            <li><a href=urls::campaign(campaign_id)>{family.campaign_title.clone()}</a></li>
        </ol></nav>
        <h1>"Family members"</h1>
        {other_error.map(|error| view! { <FormAlert error=Signal::derive(move || Some(error.clone()))/> })}
        {family.notice.clone().map(|notice| view! { <InvitationNotice notice/> })}
        {(family.may_invite && family.editable).then(|| view! {
            <InviteForm campaign_id flash=invite_flash.clone() email_sends=family.email_sends my_role=family.my_role/>
        })}
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <ul class="member-list">
                {joined.into_iter().map(|m| view! { <MemberRow member=m campaign_id owner/> }).collect_view()}
            </ul>
        </section>
        {(!pending.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="pending-heading">
                <h2 id="pending-heading">"Waiting to join"</h2>
                <ul class="member-list">
                    {pending.into_iter().map(|m| {
                        let who = m.name.clone().unwrap_or_else(|| m.email.clone());
                        let (again, again_text) = if family.email_sends {
                            (format!("Send the invitation to {who} again"), "Send again")
                        } else {
                            (format!("Make a new invitation link for {who}"), "New link")
                        };
                        let withdraw_label = format!("Withdraw the invitation to {who}");
                        view! {
                            <li class="member">
                                <div>
                                    <strong>{who.clone()}</strong>
                                    <span class="muted">{format!(" · {} · invited as {}", m.email, m.role.label().to_lowercase())}</span>
                                </div>
                                {family.may_invite.then(|| view! {
                                    <div class="button-row">
                                        <PostForm action={ServerAction::<ResendInvitation>::new()} attr:class="inline-form">
                                            {hidden("campaign_id", campaign_id)}{hidden("member_id", m.id)}
                                            <button type="submit" class="button button--small button--quiet"
                                                aria-label=again>{again_text}</button>
                                        </PostForm>
                                        <PostForm action={ServerAction::<RevokeInvitation>::new()} attr:class="inline-form">
                                            {hidden("campaign_id", campaign_id)}{hidden("member_id", m.id)}
                                            <button type="submit" class="button button--small button--quiet"
                                                aria-label=withdraw_label>"Withdraw"</button>
                                        </PostForm>
                                    </div>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(owner && !transfer_to.is_empty()).then(|| view! {
            <section class="card danger-zone" aria-labelledby="transfer-heading">
                <h2 id="transfer-heading">"Transfer ownership"</h2>
                <p>"The new owner manages the campaign and its book; you stay on as a contributor."</p>
                <PostForm action={ServerAction::<TransferOwnership>::new()} attr:data-confirm="Make this person the owner? You will become a contributor.">
                    {hidden("campaign_id", campaign_id)}
                    <div class="field">
                        <label for="transfer-member">"New owner"</label>
                        <select id="transfer-member" name="member_id">
                            {transfer_to.into_iter().map(|m| view! {
                                <option value=m.id.to_string()>{m.name.clone().unwrap_or(m.email.clone())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button button--danger">"Transfer ownership"</button>
                </PostForm>
            </section>
        })}
        {me_member.then(|| view! {
            <section class="card" aria-labelledby="leave-heading">
                <h2 id="leave-heading">"Leave this campaign"</h2>
                <p>"You'll no longer see its stories. The owner can invite you again."</p>
                <PostForm action={ServerAction::<LeaveCampaign>::new()} attr:data-confirm="Leave this campaign?">
                    {hidden("campaign_id", campaign_id)}
                    <button type="submit" class="button button--quiet">"Leave campaign"</button>
                </PostForm>
            </section>
        })}
    }
}

/// "Invitation sent", or, when this server sends no email, the link to pass on by hand:
/// selectable text without JavaScript, and a copy button with it (public/enhance.js).
#[component]
fn InvitationNotice(notice: Notice) -> impl IntoView {
    view! {
        <section class="notice notice--ok invitation-notice" role="status" aria-label="Invitation">
            <p>{notice.message}</p>
            {notice.link.map(|link| view! {
                <div class="field">
                    <label for="invitation-link">"Invitation link"</label>
                    <input id="invitation-link" type="text" readonly value=link/>
                </div>
                <button type="button" class="button" data-copy="invitation-link" hidden>"Copy invitation link"</button>
                <p class="copy-message" role="status"></p>
            })}
        </section>
    }
}

#[component]
fn InviteForm(campaign_id: Uuid, flash: Option<Flash>, email_sends: bool, my_role: Role) -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let error = form_error(invite.value(), flash.as_ref());
    let value = |name: &str| flash.as_ref().and_then(|f| f.value(name)).unwrap_or_default();
    let (email, name, relationship, role) = (value("email"), value("name"), value("relationship"), value("role"));
    let role_error = move || error.get().and_then(|e| e.field("role"));
    view! {
        <section class="card" aria-labelledby="invite-heading">
            <h2 id="invite-heading">"Invite someone"</h2>
            <PostForm action=invite alert=false>
                <FormAlert error/>
                {hidden("campaign_id", campaign_id)}
                <Field id="invite-email" name="email" label="Their email" kind="email" value=email error/>
                <Field id="invite-name" name="name" label="Their name (optional)" value=name error/>
                <Field id="invite-relationship" name="relationship" label="Relationship to the storyteller (optional)"
                    hint="For example, granddaughter." value=relationship error/>
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role" aria-describedby="invite-role-hint">
                        // An invitation carries at most the inviter's own role.
                        {(my_role >= Role::Contributor).then(|| view! {
                            <option value="contributor" selected=role != "viewer">"Contributor — reads and adds stories"</option>
                        })}
                        <option value="viewer" selected=role == "viewer">"Viewer — reads and comments"</option>
                    </select>
                    {move || role_error().map(|m| view! { <p class="field__error">{m}</p> })}
                    <p class="field__hint" id="invite-role-hint">{if email_sends {
                        "They get an email with a link that works for 14 days."
                    } else {
                        "This server doesn't send email: you'll get a link to send them yourself. It works for 14 days."
                    }}</p>
                </div>
                <button type="submit" class="button">"Send invitation"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn MemberRow(member: MemberView, campaign_id: Uuid, owner: bool) -> impl IntoView {
    let m = member;
    let who = m.name.clone().unwrap_or_else(|| m.email.clone());
    let manage = owner && m.role != Role::Owner;
    let facts = [
        Some(m.role.label().to_owned()),
        m.relationship.clone(),
        (m.status == MemberStatus::Inactive).then(|| "Inactive".to_owned()),
        m.is_me.then(|| "You".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <li class="member">
            <div>
                <strong>{who.clone()}</strong>
                <span class="muted">{format!(" · {facts}")}</span>
            </div>
            {manage.then(|| {
                let role_id = format!("role-{}", m.id);
                view! {
                    <details class="member__manage">
                        <summary>{format!("Manage {who}")}</summary>
                        <PostForm action={ServerAction::<SetMemberRole>::new()} attr:class="inline-form">
                            {hidden("campaign_id", campaign_id)}{hidden("member_id", m.id)}
                            <label for=role_id.clone()>"Role"</label>
                            <select id=role_id name="role">
                                <option value="contributor" selected=m.role == Role::Contributor>"Contributor"</option>
                                <option value="viewer" selected=m.role == Role::Viewer>"Viewer"</option>
                            </select>
                            <button type="submit" class="button button--small button--quiet">"Change role"</button>
                        </PostForm>
                        <PostForm action={ServerAction::<SetMemberPermissions>::new()}>
                            {hidden("campaign_id", campaign_id)}{hidden("member_id", m.id)}
                            <fieldset>
                                <legend>"May also"</legend>
                                {Permissions::FLAGS.into_iter().map(|(flag, label)| {
                                    let id = format!("{flag}-{}", m.id);
                                    view! {
                                        <div class="checkbox">
                                            <input type="checkbox" id=id.clone() name=flag value="true" checked=m.permissions.get(flag)/>
                                            <label for=id>{label}</label>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button button--small button--quiet">"Save permissions"</button>
                        </PostForm>
                        <PostForm action={ServerAction::<SetMemberActive>::new()} attr:class="inline-form">
                            {hidden("campaign_id", campaign_id)}{hidden("member_id", m.id)}
                            {hidden("active", m.status != MemberStatus::Active)}
                            <button type="submit" class="button button--small button--quiet">
                                {if m.status == MemberStatus::Active { "Deactivate" } else { "Reactivate" }}
                            </button>
                        </PostForm>
                    </details>
                }
            })}
        </li>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let details = Resource::new(move || token.get(), invitation);
    let session = expect_context::<Session>();
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <Title text="Your invitation · MyStoryFlow"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let user = session.user.await.ok().flatten();
                match details.await {
                    Ok(invitation) => view! {
                        <Invitation invitation token=token.get_untracked() signed_in=user.is_some() flash/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotAnInvitation/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotAnInvitation() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow" role="alert">
            <h1>"This invitation link isn't valid"</h1>
            <p>"Please check that the whole link was copied from the email, or ask the person who invited you to send it again."</p>
        </section>
    }
}

#[component]
fn Invitation(invitation: InvitationView, token: String, signed_in: bool, flash: Option<Flash>) -> impl IntoView {
    let session = expect_context::<Session>();
    let inviter = invitation.invited_by.clone().unwrap_or_else(|| "The campaign's owner".into());
    let ask = match &invitation.invited_by_email {
        Some(email) => format!("Ask {inviter} ({email}) to send you a new invitation."),
        None => format!("Ask {inviter} to send you a new invitation."),
    };
    let closed = |title: &'static str, why: &'static str, ask: String| {
        view! {
            <section class="card narrow" role="alert">
                <h1>{title}</h1>
                <p>{why}</p>
                <p>{ask}</p>
            </section>
        }
        .into_any()
    };
    match invitation.state {
        InvitationState::Expired => closed("This invitation has expired", "Invitation links work for 14 days.", ask),
        InvitationState::Revoked => {
            closed("This invitation is no longer valid", "It was withdrawn, or a newer invitation replaced it.", ask)
        }
        InvitationState::Used => closed(
            "This invitation has already been used",
            "Each invitation link works once. If it was you, log in to see the campaign.",
            ask,
        ),
        InvitationState::Open => {
            let about = match &invitation.storyteller_name {
                Some(name) => format!("“{}”, the life stories of {name}", invitation.campaign_title),
                None => format!("“{}”", invitation.campaign_title),
            };
            let role = invitation.role.label().to_lowercase();
            let intro = format!("{inviter} invited you to join {about} as a {role}.");
            let accept_error = flash.as_ref().filter(|f| f.form == "accept_invitation").map(|f| f.error.clone());
            let signup_flash = flash.filter(|f| f.form == "signup");
            let login = format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(urls::invitation(&token).as_bytes()).collect::<String>()
            );
            view! {
                <section class="card narrow">
                    <h1>"You're invited"</h1>
                    <p class="lead">{intro}</p>
                    {if signed_in {
                        view! {
                            {accept_error.map(|e| view! { <FormAlert error=Signal::derive(move || Some(e.clone()))/> })}
                            <PostForm action={ServerAction::<AcceptInvitation>::new()}>
                                {hidden("token", token.clone())}
                                <button type="submit" class="button">{format!("Join {}", invitation.campaign_title)}</button>
                            </PostForm>
                        }.into_any()
                    } else {
                        let error = form_error(session.signup.value(), signup_flash.as_ref());
                        let name = signup_flash.as_ref().and_then(|f| f.value("name")).unwrap_or_default();
                        view! {
                            <h2>"Create your account to join"</h2>
                            <ActionForm action=session.signup>
                                <FormAlert error/>
                                <Field id="invite-signup-name" name="name" label="Your name" autocomplete="name" value=name error/>
                                <Field id="invite-signup-email" name="email" label="Email" kind="email" autocomplete="email"
                                    value=invitation.email.clone() error/>
                                <Field id="invite-signup-password" name="password" label="Password" kind="password"
                                    autocomplete="new-password" hint="At least 10 characters. A short sentence is easy to remember." error/>
                                {hidden("invitation", token.clone())}
                                <button type="submit" class="button">"Create account and join"</button>
                            </ActionForm>
                            <p class="aside">"Already have an account? " <a href=login>"Log in to join"</a></p>
                        }.into_any()
                    }}
                </section>
            }.into_any()
        }
    }
}
