"""Rules on people: addresses in [people], owners and contacts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checklist.rules.context import EMAIL, Context, angled, good
from checklist.rules.registry import Finding, KeyPath, unit_rule
from checklist.words import quote


@unit_rule("E209")
def check_people(doc: dict[str, Any], ctx: Context) -> Iterator[Finding]:
    """Addresses in [people] and in 'Name <address>' owners and contacts."""
    people = doc.get("people")
    if isinstance(people, dict):
        for name, address in people.items():
            if isinstance(address, str) and not EMAIL.fullmatch(address.strip()):
                yield Finding(
                    "E209",
                    f"{quote(address)} is not an e-mail address",
                    ("people", name),
                    on_value=True,
                    hint=f'write {quote(name)} = "name@example.cn"',
                    zh=f"{quote(address)} 不是电子邮箱地址",
                    zh_hint=f'照这个样子写:{quote(name)} = "name@example.cn"',
                )
    for path, text in _addressed(doc, ctx):
        found = angled(text)
        address = found[1] if found else text.strip()
        if (found is None and "<" in text + ">") or not EMAIL.fullmatch(address):
            yield Finding(
                "E209",
                f"{quote(text)} is not a name with an e-mail address",
                path,
                on_value=True,
                hint='write "张伟 <zhangwei@example.cn>", or only '
                "the name with its address in [people]",
                zh=f"{quote(text)} 不是“姓名 <邮箱>”的写法,或者邮箱地址不对",
                zh_hint='写成 "张伟 <zhangwei@example.cn>";或者这里只写姓名,把邮箱写到 [people] 里',
            )


def _addressed(doc: dict[str, Any], ctx: Context) -> Iterator[tuple[KeyPath, str]]:
    """The contact and the owners that hold an address, or something like one."""
    contact = good(doc.get("unit"), "contact")
    if isinstance(contact, str) and ("<" in contact or ">" in contact or "@" in contact):
        yield ("unit", "contact"), contact
    for entry in ctx.entries:
        owner = entry.table.get("owner")  # a path made only for an owner with an address
        if isinstance(owner, str) and ("<" in owner or ">" in owner or "@" in owner):
            yield (*entry.path, "owner"), owner
