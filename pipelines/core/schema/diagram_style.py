"""How diagrams draw each tier and edge: shapes, sizes and the light/dark colour themes.

These are DataJoint's diagram conventions (spec/engine.md §2.1, §6.3), so a Joinery diagram
reads like the ones DataJoint users know: Manual green rounded box, Lookup gray rounded box,
Imported blue ellipse, Computed orange ellipse, Part small neutral box, unknown tier small circle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TierShape:
    shape: str  # "box", "ellipse", "circle" or "box3d"
    rounded: bool
    font_size: int


@dataclass(frozen=True)
class TierColors:
    fill: str
    stroke: str
    text: str


@dataclass(frozen=True)
class Theme:
    name: str
    background: str | None
    tiers: dict[str, TierColors]
    edge: str
    edge_renamed: str
    edge_opacity: float
    cluster_stroke: str
    cluster_text: str
    entity_fill: str


#: Key for tables whose name follows no tier convention.
UNKNOWN = "Unknown"
TIERS = ("Manual", "Lookup", "Imported", "Computed", "Part", UNKNOWN)
#: Style key of a collapsed schema (one 3-D box standing for several tables); not a tier.
COLLAPSED = "Collapsed"

SHAPES: dict[str, TierShape] = {
    "Manual": TierShape("box", rounded=True, font_size=12),
    "Lookup": TierShape("box", rounded=True, font_size=12),
    "Imported": TierShape("ellipse", rounded=False, font_size=12),
    "Computed": TierShape("ellipse", rounded=False, font_size=12),
    "Part": TierShape("box", rounded=True, font_size=10),
    UNKNOWN: TierShape("circle", rounded=False, font_size=10),
    COLLAPSED: TierShape("box3d", rounded=False, font_size=10),
}

LIGHT = Theme(
    name="light",
    background=None,
    tiers={
        "Manual": TierColors("#E8F0E9", "#3E7A52", "#28513A"),
        "Lookup": TierColors("#F0F0F1", "#808285", "#5A5C5F"),
        "Imported": TierColors("#E0F4FC", "#00A0DF", "#00537A"),
        "Computed": TierColors("#FFEDE5", "#FF5113", "#B23200"),
        "Part": TierColors("#FFFFFF", "#B9BBBE", "#55585C"),
        UNKNOWN: TierColors("#FFFDE7", "#C9BC5B", "#6B6420"),
        COLLAPSED: TierColors("#EDEEF0", "#808890", "#404040"),
    },
    edge="#171C39",
    edge_renamed="#C77D3A",
    edge_opacity=0x9E / 255,
    cluster_stroke="#171D3A",
    cluster_text="#171C39",
    entity_fill="#F3F5F8",
)

DARK = Theme(
    name="dark",
    background="#161A21",
    tiers={
        "Manual": TierColors("#16281F", "#6BBF94", "#BCE6CF"),
        "Lookup": TierColors("#242832", "#9DA0A4", "#C9CFD9"),
        "Imported": TierColors("#0F2433", "#33B8E8", "#BEE7F9"),
        "Computed": TierColors("#331B12", "#FF7A47", "#FFC7AE"),
        "Part": TierColors("#1E232C", "#8F959D", "#C8CED8"),
        UNKNOWN: TierColors("#3A3620", "#C9BC5B", "#EBE3A0"),
        COLLAPSED: TierColors("#242730", "#8890A0", "#C7CDD6"),
    },
    edge="#AEB6C2",
    edge_renamed="#D68C4A",
    edge_opacity=0xC0 / 255,
    cluster_stroke="#606875",
    cluster_text="#8A93A1",
    entity_fill="#2A313D",
)

THEMES = {"light": LIGHT, "dark": DARK}

#: Stroke width of a 1:1 edge (the FK is the child's whole primary key) and of a 1:many edge.
WIDTH_ONE_TO_ONE = 2.0
WIDTH_ONE_TO_MANY = 0.75
DASH = "5,3"


#: Depth of the 3-D box drawn for a collapsed schema.
BOX3D_DEPTH = 5.0


def tier_key(tier: str | None) -> str:
    return tier if tier in SHAPES else UNKNOWN


def theme_for(name: str) -> Theme:
    """``auto`` draws in light colours (the SVG adds a dark-mode stylesheet)."""
    return THEMES.get(name, LIGHT)


def tier_legend(theme: Theme = LIGHT) -> dict[str, dict[str, str | bool | int]]:
    """``tier -> {color, stroke, text, shape, rounded, font_size}`` for clients that draw
    diagrams themselves."""
    return {
        tier: {
            "color": theme.tiers[tier].fill,
            "stroke": theme.tiers[tier].stroke,
            "text": theme.tiers[tier].text,
            "shape": SHAPES[tier].shape,
            "rounded": SHAPES[tier].rounded,
            "font_size": SHAPES[tier].font_size,
        }
        for tier in TIERS
    }
