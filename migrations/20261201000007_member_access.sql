-- member_access: a user's membership of one organization (by slug), everything the guard
-- needs to admit them, and optionally every organization they belong to (the frame's
-- switcher). The guard (server/guard.rs) read this with a query of its own inside a
-- revdesk_platform transaction; as a function it is one statement anywhere, so the
-- request middleware reads it together with the session (server/session.rs) and the
-- frame needs no transaction of its own. PL/pgSQL rather than SQL because PL/pgSQL keeps
-- its plans for the life of the connection; a SQL function this size would be planned
-- again on every call.
--
-- SECURITY DEFINER, owned by revdesk_platform: it reads memberships across tenants,
-- exactly what the platform role's policies allow, but only the one user's. Only the
-- application's login role may call it; tenant code (revdesk_app, revdesk_partner) may
-- not, so a query running inside a tenant cannot list another user's organizations.
create function member_access(_slug text, _user_id uuid, _with_memberships boolean)
    returns table
            (
                id             uuid,
                slug           text,
                name           text,
                status         text,
                role           member_role,
                team_id        uuid,
                partner_id     uuid,
                permissions    text[],
                granted_roles  member_role[],
                custom_scope   lead_scope,
                my_slugs       text[],
                my_names       text[],
                my_roles       member_role[]
            )
    language plpgsql
    stable
    security definer
    set search_path = public, pg_temp
as
$$
#variable_conflict use_column
begin
return query
select o.id, o.slug::text, o.name::text, o.status::text, m.role, m.team_id,
       (select p.id from partners p where p.organization_id = o.id and p.user_id = m.user_id),
       array(select srp.permission from system_role_permissions srp where srp.role = m.role
             union
             select srp.permission from user_roles ur
                 join system_role_permissions srp on srp.role = ur.system_role
             where ur.organization_id = o.id and ur.user_id = m.user_id
               and (ur.expires_at is null or ur.expires_at > now())
             union
             select rp.permission from user_roles ur
                 join role_permissions rp on rp.organization_id = ur.organization_id and rp.role_id = ur.role_id
             where ur.organization_id = o.id and ur.user_id = m.user_id
               and (ur.expires_at is null or ur.expires_at > now())),
       array(select ur.system_role from user_roles ur
             where ur.organization_id = o.id and ur.user_id = m.user_id and ur.system_role is not null
               and (ur.expires_at is null or ur.expires_at > now())),
       (select max(r.lead_scope) from user_roles ur
            join roles r on r.organization_id = ur.organization_id and r.id = ur.role_id
        where ur.organization_id = o.id and ur.user_id = m.user_id
          and (ur.expires_at is null or ur.expires_at > now())),
       mine.slugs, mine.names, mine.roles
from organizations o
    join organization_members m on m.organization_id = o.id and m.user_id = _user_id and m.status = 'active'
    cross join lateral (
        select array_agg(o2.slug::text order by o2.name, o2.slug) as slugs,
               array_agg(o2.name::text order by o2.name, o2.slug) as names,
               array_agg(m2.role order by o2.name, o2.slug) as roles
        from organization_members m2 join organizations o2 on o2.id = m2.organization_id
        where _with_memberships and m2.user_id = _user_id and m2.status = 'active' and o2.deleted_at is null
    ) mine
where o.slug = _slug and o.deleted_at is null;
end;
$$;

comment on function member_access(text, uuid, boolean) is
    'The guard''s membership read (server/guard.rs); see migration 20261201000007.';

alter function member_access(text, uuid, boolean) owner to revdesk_platform;
revoke execute on function member_access(text, uuid, boolean) from public;
grant execute on function member_access(text, uuid, boolean) to current_user;
