"""The identifiers pull takes from the Hub or a manifest (file names, commits, revisions, repo ids):
whatever random text a hostile Hub sends, an accepted one is a plain name that stays inside its folder."""

from __future__ import annotations

import os
import string
from pathlib import PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapterkit.errors import AdapterkitError
from adapterkit.pull_checks import check_commit, check_file_name, check_repo_id, check_revision

ROOT = "/srv/download"
# pieces a crafted name is made of, so that random joins hit '..', drives, backslashes and controls often
PIECES = ["a", "b.json", "x.safetensors", "..", ".", "", "C:", "c:\\", "\\", "/", "~", " ", "\x00", "\n", "\u202e", "é"]
names = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=6).map("/".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=6).map("".join),
)


def _accepted(check, value) -> str | None:
    try:
        return check(value, "test")
    except AdapterkitError as error:
        assert "\n" not in str(error)  # a refusal is one line, whatever was sent
        return None


def _stays_inside(root: str, relative: str) -> bool:
    joined = os.path.normpath(os.path.join(root, relative))
    return joined.startswith(root + os.sep)


@settings(max_examples=400, deadline=None)
@given(names)
def test_an_accepted_file_name_is_a_plain_relative_name_inside_the_folder(name):
    accepted = _accepted(check_file_name, name)
    if accepted is None:
        return
    assert accepted == name
    posix, windows = PurePosixPath(accepted), PureWindowsPath(accepted)
    assert not posix.is_absolute() and not windows.is_absolute() and not windows.drive and not windows.root
    assert ".." not in posix.parts and ".." not in windows.parts and "\\" not in accepted
    assert posix.as_posix() == accepted  # no '.' part, no empty part, no trailing '/'
    assert accepted.isprintable()
    assert _stays_inside(ROOT, accepted) and _stays_inside(ROOT, accepted.replace("/", os.sep))


@settings(max_examples=300, deadline=None)
@given(st.one_of(names, st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,30}", fullmatch=True)))
def test_an_accepted_revision_is_a_plain_ref_that_stays_inside_a_refs_folder(revision):
    accepted = _accepted(check_revision, revision)
    if accepted is None:
        return
    assert accepted.isprintable() and ".." not in accepted and "\\" not in accepted and ":" not in accepted
    assert _stays_inside(ROOT + "/refs", accepted)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=45), st.text(alphabet="0123456789abcdefABCDEF", min_size=38, max_size=42)))
def test_an_accepted_commit_is_forty_lowercase_hex_digits(commit):
    accepted = _accepted(check_commit, commit)
    if accepted is not None:
        assert len(accepted) == 40 and set(accepted) <= set(string.hexdigits.lower())


@settings(max_examples=300, deadline=None)
@given(names)
def test_an_accepted_repo_id_is_user_slash_name_inside_the_folder(repo_id):
    accepted = _accepted(check_repo_id, repo_id)
    if accepted is not None:
        user, name = accepted.split("/")
        assert user and name and ".." not in accepted and "\\" not in accepted and accepted.isprintable()
        assert _stays_inside(ROOT, accepted)


@pytest.mark.parametrize(
    "name",
    [
        "../x.json",
        "a/../../x.json",
        "/etc/passwd",
        "a\\b.json",
        "C:x.json",
        "C:\\x.json",
        "a/./b.json",
        "a//b.json",
        "a/",
        "x.json\n",
        "",
        ".",
        "..",
        " a.json",
        "a\x00.json",
        "\u202egnp.exe",
        "x" * 256,
        None,
        7,
    ],
)
def test_crafted_file_names_are_refused(name):
    with pytest.raises(AdapterkitError, match="not a plain relative name"):
        check_file_name(name, "team/x")


@pytest.mark.parametrize("name", ["adapter_model.safetensors", "sub/dir/x.json", "ünïcode notes.md", ".gitattributes"])
def test_plain_file_names_are_accepted(name):
    assert check_file_name(name, "team/x") == name


@pytest.mark.parametrize(
    "revision", ["../main", "main/../x", "refs//pr", ".hidden", "main.lock", "-main", "a b", "main\n", "", None]
)
def test_crafted_revisions_are_refused(revision):
    with pytest.raises(AdapterkitError, match="give a branch, tag or commit"):
        check_revision(revision)


@pytest.mark.parametrize("revision", ["main", "v1.0", "refs/pr/1", "a" * 40, "release_2024-01"])
def test_branches_tags_and_commits_are_accepted(revision):
    assert check_revision(revision) == revision
