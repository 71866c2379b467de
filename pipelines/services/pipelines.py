"""Creating and changing pipelines and their members."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Membership
from accounts.roles import Role
from pipelines.models import Pipeline
from pipelines.services.audit import audit_record
from pipelines.services.errors import Conflict, Invalid

#: A DataJoint schema name: a database name on MySQL, a name prefix in the SQLite file.
SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _check_schemas(schemas: list[str]) -> list[str]:
    bad = [s for s in schemas if not isinstance(s, str) or not SCHEMA_NAME.fullmatch(s)]
    if bad:
        raise Invalid(
            "Schema names are lowercase letters, digits and underscores, starting with a "
            f"letter, at most 64 characters: {bad!r} are not.",
            details={"schemas": bad},
        )
    if len(set(schemas)) != len(schemas):
        raise Invalid("A schema is listed twice.", details={"schemas": schemas})
    taken = Pipeline.objects.filter(schemas__isnull=False).values_list("slug", "schemas")
    for slug, owned in taken:
        clash = set(owned or ()) & set(schemas)
        if clash:
            raise Conflict(
                f"Schema {sorted(clash)[0]!r} already belongs to pipeline {slug!r}.",
                details={"schemas": sorted(clash), "pipeline": slug},
            )
    return list(schemas)


@transaction.atomic
def pipeline_create(
    *,
    actor: Any,
    name: str,
    slug: str | None = None,
    description: str = "",
    schemas: list[str] | None = None,
) -> Pipeline:
    """A new pipeline with ``actor`` as its owner."""
    name = name.strip()
    if not name:
        raise Invalid("A pipeline needs a name.", details={"name": name})
    slug = slugify(slug or name)[:64]
    if not slug:
        raise Invalid("The pipeline's slug would be empty: give a name with letters or digits.")
    if Pipeline.objects.filter(slug=slug).exists():
        raise Conflict(f"A pipeline with slug {slug!r} exists.", details={"slug": slug})
    owned = _check_schemas(list(schemas or []))
    pipeline = Pipeline.objects.create(
        name=name, slug=slug, description=description, schemas=owned, created_by=actor
    )
    Membership.objects.create(user=actor, pipeline=pipeline, role=Role.OWNER)
    audit_record(
        actor=actor,
        pipeline=pipeline,
        action="pipeline.create",
        target=slug,
        payload={"name": name, "schemas": owned},
    )
    return pipeline


@transaction.atomic
def pipeline_update(
    *,
    actor: Any,
    pipeline: Pipeline,
    name: str | None = None,
    description: str | None = None,
    schemas: list[str] | None = None,
) -> Pipeline:
    changes: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise Invalid("A pipeline needs a name.")
        changes["name"] = name.strip()
    if description is not None:
        changes["description"] = description
    if schemas is not None:
        added = [s for s in schemas if s not in pipeline.schemas]
        _check_schemas(added)
        changes["schemas"] = list(dict.fromkeys(schemas))
    for field, value in changes.items():
        setattr(pipeline, field, value)
    pipeline.save()
    audit_record(
        actor=actor, pipeline=pipeline, action="pipeline.update", target=pipeline.slug,
        payload=changes,
    )  # fmt: skip
    return pipeline


@transaction.atomic
def pipeline_delete(*, actor: Any, pipeline: Pipeline) -> None:
    """Forget the pipeline in the portal. Its tables and rows stay in the data database."""
    audit_record(
        actor=actor, pipeline=None, action="pipeline.delete", target=pipeline.slug,
        payload={"name": pipeline.name, "schemas": pipeline.schemas},
    )  # fmt: skip
    pipeline.delete()


@transaction.atomic
def membership_set(*, actor: Any, pipeline: Pipeline, user: Any, role: str) -> Membership:
    """Give ``user`` ``role`` on the pipeline (adding or changing their membership)."""
    role = Role(role)
    current = Membership.objects.select_for_update().filter(pipeline=pipeline, user=user).first()
    if current is not None and current.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(pipeline, leaving=current)
    membership, _ = Membership.objects.update_or_create(
        pipeline=pipeline, user=user, defaults={"role": role}
    )
    audit_record(
        actor=actor, pipeline=pipeline, action="member.set", target=user.get_username(),
        payload={"role": role, "previous": current.role if current else None},
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, pipeline: Pipeline, user: Any) -> None:
    current = Membership.objects.select_for_update().filter(pipeline=pipeline, user=user).first()
    if current is None:
        return
    if current.role == Role.OWNER:
        _keep_an_owner(pipeline, leaving=current)
    current.delete()
    audit_record(
        actor=actor, pipeline=pipeline, action="member.remove", target=user.get_username(),
        payload={"role": current.role},
    )  # fmt: skip


def _keep_an_owner(pipeline: Pipeline, leaving: Membership) -> None:
    others = Membership.objects.filter(pipeline=pipeline, role=Role.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise Conflict("A pipeline keeps at least one owner: make someone else owner first.")
