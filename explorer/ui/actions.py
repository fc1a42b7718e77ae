"""The one table of actions: id, title, shortcuts, menu, and who handles it.

Menus, the timeline's keys and (later) the command palette and shortcut sheet are
all generated from ACTIONS, so a key binding is written once, here, and nowhere
else. A handler is a method name looked up on the target named by `scope`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = str | QKeySequence.StandardKey


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    title: str
    handler: str
    shortcuts: tuple[Key, ...] = ()
    menu: str | None = None
    # "window"/"editor"/"session": anywhere in the window (handled by the window, the
    # editor or the document session);
    # "timeline": only while the timeline has focus; "publish": the article and publishing
    # controller; "review": the article review dialog; "periods": the periods panel;
    # "word": the web of actors and the sources panel (explorer/ui/word_docks.py);
    # "annotate": stars, tags and notes
    scope: str = "window"
    tip: str = ""


SK = QKeySequence.StandardKey
OWN_WINDOW_SCOPES: Final = frozenset({"review"})  # scopes living in a window of their own

# fmt: off
ACTIONS: Final[tuple[ActionSpec, ...]] = (
    # id                        title                         handler                keys                                menu        scope
    ActionSpec("file.open",            "&Open…",                    "open_file",           (SK.Open,),                         "&File"),
    ActionSpec("file.save",            "&Save",                     "save",                (SK.Save,),                         "&File",    "session"),
    ActionSpec("file.save_as",         "Save &As…",                 "save_as",             (SK.SaveAs,),                       "&File",    "session"),
    ActionSpec("file.open_large",      "Open &Large File…",          "open_large_file",     (),                                 "&File"),
    ActionSpec("file.new_from_article", "New from &Article…",       "new_from_article",    ("Ctrl+Shift+I",),                  "&File",    "publish"),
    ActionSpec("file.connect",         "&Connect to Database…",     "connect_source",      ("Ctrl+Alt+O",),                    "&File"),
    ActionSpec("file.export_view",     "&Export View…",             "export_view",         ("Ctrl+E",),                        "&File"),
    ActionSpec("file.export_page",     "Export &Web Page…",         "export_page",         (),                                 "&File",    "publish"),
    ActionSpec("file.export_brief",    "Export &Brief (PDF)…",      "export_brief",        (),                                 "&File",    "publish"),
    ActionSpec("file.export_web",      "Export Web of A&ctors…",    "export_web",          (),                                 "&File",    "word"),
    ActionSpec("file.quit",            "&Quit",                     "close",               (SK.Quit, "Ctrl+Q"),                "&File"),
    ActionSpec("edit.undo",            "&Undo",                     "undo",                (SK.Undo,),                         "&Edit",    "editor"),
    ActionSpec("edit.redo",            "&Redo",                     "redo",                (SK.Redo, "Ctrl+Y"),                "&Edit",    "editor"),
    ActionSpec("edit.new_event",       "&New Event…",               "new_event",           (SK.New,),                          "&Edit",    "editor"),
    ActionSpec("edit.edit_event",      "&Edit Event…",              "edit_event",          ("F2",),                            "&Edit",    "editor"),
    ActionSpec("edit.duplicate_event", "D&uplicate Event",          "duplicate_event",     ("Ctrl+D",),                        "&Edit",    "editor"),
    ActionSpec("edit.delete_event",    "&Delete Event",             "delete_event",        ("Del",),                           "&Edit",    "editor"),
    ActionSpec("edit.nudge_earlier",   "Move Event &Earlier",       "nudge_earlier",       ("Alt+Left",),                      "&Edit",    "editor"),
    ActionSpec("edit.nudge_later",     "Move Event &Later",         "nudge_later",         ("Alt+Right",),                     "&Edit",    "editor"),
    ActionSpec("edit.new_actor",       "New &Actor…",               "new_actor",           ("Ctrl+Shift+N",),                  "&Edit",    "editor"),
    ActionSpec("edit.edit_actor",      "Edit Ac&tor…",              "edit_actor",          ("Shift+F2",),                      "&Edit",    "editor"),
    ActionSpec("edit.delete_actor",    "Delete Actor…",             "delete_actor",        (),                                 "&Edit",    "editor"),
    ActionSpec("edit.merge_actors",    "&Merge Actors…",            "merge_actors",        (),                                 "&Edit",    "editor"),
    ActionSpec("edit.new_source",      "New &Source…",              "new_source",          (),                                 "&Edit",    "editor"),
    ActionSpec("edit.new_theme",       "New T&heme…",               "new_theme",           (),                                 "&Edit",    "editor"),
    ActionSpec("edit.edit_source",     "Edit Sour&ce…",             "edit_source",         (),                                 "&Edit",    "editor"),
    ActionSpec("edit.edit_theme",      "Edit The&me…",              "edit_theme",          (),                                 "&Edit",    "editor"),
    ActionSpec("edit.new_period",      "New Pe&riod…",              "new_period",          (),                                 "&Edit",    "periods"),
    ActionSpec("edit.edit_period",     "Edit Per&iod…",             "edit_period",         (),                                 "&Edit",    "periods"),
    ActionSpec("edit.delete_period",   "Delete Period",             "delete_period",       (),                                 "&Edit",    "periods"),
    ActionSpec("edit.find",            "&Find…",                    "focus_search",        (SK.Find,),                         "&Edit"),
    ActionSpec("edit.find_next",       "Find Ne&xt",                "find_next",           (SK.FindNext,),                     "&Edit"),
    ActionSpec("edit.find_previous",   "Find Pre&vious",            "find_previous",       (SK.FindPrevious,),                 "&Edit"),
    ActionSpec("filter.date_range",    "&Date Range…",              "ask_date_range",      (),                                 "F&ilter"),
    ActionSpec("filter.known_by",      "&Known By Date…",           "ask_known_by",        (),                                 "F&ilter"),
    ActionSpec("filter.clear",         "&Clear All Filters",        "clear_filters",       ("Ctrl+Shift+L",),                  "F&ilter"),
    ActionSpec("actors.solo",          "Show &Only Selected Actor", "solo_actor",          ("Ctrl+Shift+O",),                  "F&ilter"),
    ActionSpec("actors.show_all",      "Show &All Actors",          "show_all_actors",     ("Ctrl+Shift+A",),                  "F&ilter"),
    ActionSpec("view.history",         "Undo &History",             "toggle_history",      ("Ctrl+H",),                        "&View"),
    ActionSpec("view.palette",         "Command &Palette…",         "show_palette",        ("Ctrl+K", "Ctrl+Shift+P"),         "&View"),
    ActionSpec("view.next_panel",      "Next Panel",                "next_panel",          ("F6",),                            "&View"),
    ActionSpec("view.previous_panel",  "Previous Panel",            "previous_panel",      ("Shift+F6",),                      "&View"),
    ActionSpec("view.fit",             "&Fit All",                  "fit_all",             ("F",),                             "&View",    "timeline"),
    ActionSpec("view.zoom_selection",  "&Zoom to Selection",        "zoom_to_selection",   ("Z",),                             "&View",    "timeline"),
    ActionSpec("view.zoom_in",         "Zoom &In",                  "zoom_in",             ("+", "=", SK.ZoomIn),              "&View",    "timeline"),
    ActionSpec("view.zoom_out",        "Zoom &Out",                 "zoom_out",            ("-", SK.ZoomOut),                  "&View",    "timeline"),
    ActionSpec("view.pan_left",        "Pan Left",                  "pan_left",            ("Shift+Left",),                    "&View",    "timeline"),
    ActionSpec("view.pan_right",       "Pan Right",                 "pan_right",           ("Shift+Right",),                   "&View",    "timeline"),
    ActionSpec("view.page_left",       "Page Left",                 "page_left",           ("PgUp",),                          "&View",    "timeline"),
    ActionSpec("view.page_right",      "Page Right",                "page_right",          ("PgDown",),                        "&View",    "timeline"),
    ActionSpec("view.focus_timeline",  "Focus &Timeline",           "focus_timeline",      ("Ctrl+1",),                        "&View"),
    ActionSpec("view.focus_actors",    "Focus &Actors",             "focus_actors",        ("Ctrl+2",),                        "&View"),
    ActionSpec("view.focus_detail",    "Focus &Detail",             "focus_detail",        ("Ctrl+3",),                        "&View"),
    ActionSpec("view.focus_table",     "Focus Event &Table",        "focus_table",         ("Ctrl+4",),                        "&View"),
    # Display time zone and saved views (explorer/ui/zone_dialog.py, saved_views.py).
    ActionSpec("view.time_zone",       "Time &Zone…",               "choose_zone",         (),                                 "&View"),
    ActionSpec("view.zone_utc",        "Time Zone: &UTC",           "zone_utc",            (),                                 "&View"),
    ActionSpec("view.zone_local",      "Time Zone: This &Computer's", "zone_local",        (),                                 "&View"),
    ActionSpec("view.save_view",       "Sa&ve Current View…",       "save_named_view",     ("Ctrl+Shift+D",),                  "&View"),
    ActionSpec("view.views_panel",     "Saved &Views",              "show_views_panel",    ("Ctrl+Shift+V",),                  "&View"),
    ActionSpec("view.focus_periods",   "Focus &Periods",            "focus_list",          ("Ctrl+5",),                        "&View",    "periods"),
    ActionSpec("go.period",            "Show &Period",              "jump",                (),                                 "&Go",      "periods"),
    ActionSpec("view.web",             "&Web of Actors",            "show_web",            ("Ctrl+Shift+W",),                  "&View",    "word"),
    ActionSpec("view.sources",         "&Sources",                  "show_sources",        ("Ctrl+Shift+B",),                  "&View",    "word"),
    ActionSpec("go.prev_in_lane",      "&Previous Event in Lane",   "select_prev_in_lane", ("Left",),                          "&Go",      "timeline"),
    ActionSpec("go.next_in_lane",      "&Next Event in Lane",       "select_next_in_lane", ("Right",),                         "&Go",      "timeline"),
    ActionSpec("go.prev_any",          "Previous Event (Any Lane)", "select_prev_any",     ("Ctrl+Left",),                     "&Go",      "timeline"),
    ActionSpec("go.next_any",          "Next Event (Any Lane)",     "select_next_any",     ("Ctrl+Right",),                    "&Go",      "timeline"),
    ActionSpec("go.lane_up",           "Lane &Above",               "select_lane_above",   ("Up",),                            "&Go",      "timeline"),
    ActionSpec("go.lane_down",         "Lane &Below",               "select_lane_below",   ("Down",),                          "&Go",      "timeline"),
    ActionSpec("go.first",             "&First Event",              "select_first",        ("Home",),                          "&Go",      "timeline"),
    ActionSpec("go.last",              "&Last Event",               "select_last",         ("End",),                           "&Go",      "timeline"),
    ActionSpec("go.show_detail",       "Show in &Detail",           "show_selection",      ("Return", "Enter"),                "&Go",      "timeline"),
    ActionSpec("go.clear",             "Clear Selection",           "clear_selection",     ("Escape",),                        "&Go",      "timeline"),
    # Navigation history (explorer/ui/nav_history.py). Not the platform's Back key,
    # which is Alt+Left/Right on Windows and Linux (moving events here): Ctrl+[ and
    # Ctrl+] (Cmd+[ and Cmd+] on macOS, its own Back/Forward), the keyboard's Back and
    # Forward keys, and the mouse's back and forward buttons (main_window).
    ActionSpec("go.back",              "&Back",                     "go_back",             ("Ctrl+[", "Back"),                 "&Go"),
    ActionSpec("go.forward",           "&Forward",                  "go_forward",          ("Ctrl+]", "Forward"),              "&Go"),
    # The analyst's annotations (explorer/ui/annotating.py): on the selected event, from any panel.
    ActionSpec("annotate.star",        "Toggle &Star",              "toggle_star",         ("Ctrl+B",),                        "A&nnotate", "annotate"),
    ActionSpec("annotate.tag",         "&Tag…",                     "tag_palette",         ("Ctrl+T",),                        "A&nnotate", "annotate"),
    ActionSpec("annotate.notes",       "&Notes…",                   "edit_notes",          ("Ctrl+Alt+N",),                    "A&nnotate", "annotate"),
    ActionSpec("annotate.author",      "Note &Author…",             "ask_author",          (),                                 "A&nnotate", "annotate"),
    ActionSpec("annotate.quick_tag_1",  "Quick Tag 1",               "quick_tag_1",         ("Alt+1",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_2",  "Quick Tag 2",               "quick_tag_2",         ("Alt+2",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_3",  "Quick Tag 3",               "quick_tag_3",         ("Alt+3",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_4",  "Quick Tag 4",               "quick_tag_4",         ("Alt+4",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_5",  "Quick Tag 5",               "quick_tag_5",         ("Alt+5",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_6",  "Quick Tag 6",               "quick_tag_6",         ("Alt+6",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_7",  "Quick Tag 7",               "quick_tag_7",         ("Alt+7",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_8",  "Quick Tag 8",               "quick_tag_8",         ("Alt+8",),                       None,       "annotate"),
    ActionSpec("annotate.quick_tag_9",  "Quick Tag 9",               "quick_tag_9",         ("Alt+9",),                       None,       "annotate"),
    ActionSpec("filter.starred",       "&Starred Only",             "filter_starred",      ("Ctrl+Alt+B",),                    "F&ilter",  "annotate"),
    ActionSpec("filter.noted",         "With &Notes Only",          "filter_noted",        (),                                 "F&ilter",  "annotate"),
    ActionSpec("filter.tag",           "By &Tag…",                  "filter_tag",          (),                                 "F&ilter",  "annotate"),
    # The article review dialog (explorer/ui/article_review.py): no menu, its own window.
    ActionSpec("review.accept",        "Accept Proposal",           "accept_current",      ("A", "Space"),                     None,       "review"),
    ActionSpec("review.reject",        "Reject Proposal",           "reject_current",      ("R", "Delete"),                    None,       "review"),
    ActionSpec("review.edit",          "Edit Proposal…",            "edit_current",        ("F2", "Return"),                   None,       "review"),
    ActionSpec("review.merge",         "Merge Proposals",           "merge_current",       ("M",),                             None,       "review"),
    ActionSpec("review.jump",          "Show Sentence in Article",  "jump_to_sentence",    ("J",),                             None,       "review"),
    ActionSpec("review.accept_all",    "Accept All Proposals",      "accept_all",          ("Ctrl+Shift+A",),                  None,       "review"),
    ActionSpec("review.finish",        "Add Accepted Proposals",    "finish",              ("Ctrl+Return",),                   None,       "review"),
    ActionSpec("help.shortcuts",       "&Keyboard Shortcuts",       "show_shortcuts",      (SK.HelpContents, "?"),             "&Help"),
)
# fmt: on


def spec(action_id: str) -> ActionSpec:
    for item in ACTIONS:
        if item.id == action_id:
            return item
    raise KeyError(action_id)


StandardExpander = Callable[[QKeySequence.StandardKey], list[QKeySequence]]


def _platform_bindings(key: QKeySequence.StandardKey) -> list[QKeySequence]:
    return list(QKeySequence.keyBindings(key))


def key_sequences(
    item: ActionSpec, standard: StandardExpander = _platform_bindings
) -> list[QKeySequence]:
    """The action's keys on this platform (a standard key may have none, or several)."""
    keys: list[QKeySequence] = []
    for key in item.shortcuts:
        keys += standard(key) if isinstance(key, SK) else [QKeySequence(key)]
    unique: list[QKeySequence] = []
    for sequence in keys:
        if not sequence.isEmpty() and sequence not in unique:
            unique.append(sequence)
    return unique


# Keys beyond a plain keyboard, which standard keys add on some platforms: Qt::Key_Help
# and up (the "Open", "Undo", "Save" keys, media keys...) and F13-F35.
_FIRST_EXTRA_KEY: Final = 0x01000058
_F13, _F35 = 0x0100003C, 0x01000052


def pressable(sequence: QKeySequence) -> bool:
    """Whether a user can type `sequence` on an ordinary keyboard."""
    for i in range(sequence.count()):
        key = int(sequence[i].key().value)  # type: ignore[index]
        if key >= _FIRST_EXTRA_KEY or _F13 <= key <= _F35:
            return False
    return True


def display_sequences(item: ActionSpec) -> list[QKeySequence]:
    """What menus, the palette and the help sheet show: each standard key's main binding on
    this platform and the table's own keys, leaving out aliases nobody can press."""
    shown: list[QKeySequence] = []
    for key in item.shortcuts:
        bindings = (
            [s for s in _platform_bindings(key) if pressable(s)]
            if isinstance(key, SK)
            else [QKeySequence(key)]
        )
        for sequence in bindings[:1]:
            if not sequence.isEmpty() and sequence not in shown:
                shown.append(sequence)
    return shown


def shortcut_text(item: ActionSpec) -> str:
    """The shortcuts as the platform writes them, for menus and the help sheet."""
    return ", ".join(
        k.toString(QKeySequence.SequenceFormat.NativeText) for k in display_sequences(item)
    )


def conflicts(standard: StandardExpander = _platform_bindings) -> list[tuple[str, str, str]]:
    """Pairs of actions sharing a key sequence (either would make Qt's shortcut ambiguous,
    and then neither runs): (key, first action, second action)."""
    owner: dict[tuple[str, str], str] = {}
    found: list[tuple[str, str, str]] = []
    for item in ACTIONS:
        # Keys clash only within one window: the review dialog's are its own.
        window = item.scope if item.scope in OWN_WINDOW_SCOPES else "main"
        for sequence in key_sequences(item, standard):
            key = (window, sequence.toString(QKeySequence.SequenceFormat.PortableText))
            if key in owner and owner[key] != item.id:
                found.append((key[1], owner[key], item.id))
            owner.setdefault(key, item.id)
    return found


def check_conflicts() -> None:
    """Called as the actions are built: a shared key is a bug in this table."""
    clashes = conflicts()
    if clashes:
        raise ValueError("; ".join(f"{key} is bound to both {a} and {b}" for key, a, b in clashes))


def build_actions(
    parent: QObject, targets: Mapping[str, object], widgets: Mapping[str, QWidget]
) -> dict[str, QAction]:
    """QActions for every spec, connected to their handlers and added to their scope widget.

    `targets[scope]` has the handler methods; `widgets[scope]` is where the shortcut
    lives (the main window for "window", the timeline for "timeline").
    """
    check_conflicts()
    built: dict[str, QAction] = {}
    for item in ACTIONS:
        target = targets.get(item.scope)
        if target is None or not hasattr(target, item.handler):
            continue
        action = QAction(item.title, parent)
        action.setObjectName(item.id)
        action.setShortcuts(key_sequences(item))
        if item.scope == "timeline":
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        else:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if item.tip:
            action.setStatusTip(item.tip)
        handler = getattr(target, item.handler)
        action.triggered.connect(lambda _checked=False, handler=handler: handler())
        widgets[item.scope].addAction(action)
        built[item.id] = action
    return built
