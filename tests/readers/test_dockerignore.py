"""Behaviour of the .dockerignore reader (checks/readers/dockerignore.py) that users rely on.

The upstream tables are in test_dockerignore_oracle.py. This file covers reading real files
and the cases where Docker and gitignore habits part ways.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from checklists.core.errors import InputError
from checklists.core.target import MAX_IGNORE_PATTERNS
from checks.readers.dockerignore import (
    Pattern,
    PatternMatcher,
    _compile_go_regexp,
    _go_filepath_match,
    _GoRegexpError,
    _literal_prefix,
    _Rule,
    _translate,
    read_dockerignore,
)


def excluded(dockerignore: str, path: str) -> bool:
    return PatternMatcher(read_dockerignore(dockerignore)).matches(path)


# --- anchoring: .dockerignore is not .gitignore ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("__pycache__", True),
        ("__pycache__/mod.cpython-311.pyc", True),
        ("src/__pycache__", False),
        ("src/__pycache__/mod.cpython-311.pyc", False),
    ],
)
def test_directory_pattern_matches_only_at_the_context_root(path: str, expected: bool) -> None:
    assert excluded("__pycache__/\n", path) is expected


@pytest.mark.parametrize(
    "path",
    [
        "__pycache__",
        "__pycache__/mod.pyc",
        "src/__pycache__/mod.pyc",
        "src/pkg/deep/__pycache__/mod.pyc",
    ],
)
def test_double_star_matches_at_any_depth(path: str) -> None:
    assert excluded("**/__pycache__\n", path) is True


def test_double_star_does_not_match_a_longer_name() -> None:
    assert excluded("**/__pycache__\n", "src/not__pycache__x/mod.pyc") is False


def test_star_does_not_cross_directories() -> None:
    assert excluded("*.md\n", "CHANGELOG.md") is True
    assert excluded("*.md\n", "docs/guide.md") is False
    assert excluded("**/*.md\n", "docs/guide.md") is True


# --- exceptions and order ----------------------------------------------------------------------


ENV_FILES = ".env*\n!.env.example\n"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".env", True),
        (".env.local", True),
        (".env.production", True),
        (".env.example", False),
        ("config/.env", False),  # `.env*` is anchored at the root too
        ("environment.py", False),
    ],
)
def test_env_files_with_an_example_kept(path: str, expected: bool) -> None:
    assert excluded(ENV_FILES, path) is expected


def test_markdown_except_readme() -> None:
    matcher = PatternMatcher(read_dockerignore("*.md\n!README.md\n"))
    assert matcher.matches("CONTRIBUTING.md") is True
    assert matcher.matches("README.md") is False
    assert matcher.exclusions is True


def test_later_patterns_override_earlier_ones() -> None:
    # An exception placed before the pattern it should except has no effect.
    assert excluded("!README.md\n*.md\n", "README.md") is True


def test_directory_pattern_excludes_its_contents() -> None:
    matcher = PatternMatcher(read_dockerignore("tests/\n"))
    assert matcher.matches("tests") is True
    assert matcher.matches("tests/test_x.py") is True
    assert matcher.matches("tests/unit/test_y.py") is True
    assert matcher.matches("tests_helper.py") is False
    assert matcher.matches("src/tests/test_z.py") is False


def test_file_inside_an_excluded_directory_can_be_re_included() -> None:
    matcher = PatternMatcher(read_dockerignore("docs\n!docs/README.md\n"))
    assert matcher.matches("docs/guide.md") is True
    assert matcher.matches("docs/README.md") is False


# --- reading the file ------------------------------------------------------------------------


def test_comments_and_blank_lines_are_ignored() -> None:
    source = "# build outputs\n\n   \ndist\n\n# caches\n.cache\n"
    patterns = read_dockerignore(source)
    assert [(p.text, p.line) for p in patterns] == [("dist", 4), (".cache", 7)]


def test_only_a_hash_in_the_first_column_starts_a_comment() -> None:
    # ReadAll tests for "#" before trimming, so an indented "#" line is a pattern.
    patterns = read_dockerignore("  # not a comment\n")
    assert [p.text for p in patterns] == ["# not a comment"]


def test_crlf_line_endings() -> None:
    patterns = read_dockerignore("# comment\r\nnode_modules\r\n!node_modules/keep\r\n")
    assert [(p.text, p.exclusion, p.line, p.raw) for p in patterns] == [
        ("node_modules", False, 2, "node_modules"),
        ("node_modules/keep", True, 3, "!node_modules/keep"),
    ]
    assert excluded("node_modules\r\n", "node_modules/x/index.js") is True


def test_leading_slash_is_stripped() -> None:
    patterns = read_dockerignore("/build\n! /dist/keep\n/\n")
    assert [(p.text, p.exclusion) for p in patterns] == [
        ("build", False),
        ("dist/keep", True),
        ("/", False),  # only a pattern longer than one character loses its slash
    ]
    assert excluded("/build\n", "build/app.bin") is True


def test_patterns_are_cleaned_like_go_filepath_clean() -> None:
    patterns = read_dockerignore("./src/../vendor//\nlogs/./*.log\n")
    assert [p.text for p in patterns] == ["vendor", "logs/*.log"]


def test_whitespace_is_trimmed_around_the_pattern_and_after_the_bang() -> None:
    patterns = read_dockerignore("  *.tmp \t\n!   keep.tmp  \n")
    assert [(p.text, p.exclusion, p.raw) for p in patterns] == [
        ("*.tmp", False, "  *.tmp \t"),
        ("keep.tmp", True, "!   keep.tmp  "),
    ]


def test_trimming_follows_go_unicode_spaces() -> None:
    # U+00A0 is a space for Go's strings.TrimSpace; U+001F is not (Python's strip drops it).
    patterns = read_dockerignore("\u00a0dist\u00a0\n\x1fbuild\n")
    assert [p.text for p in patterns] == ["dist", "\x1fbuild"]


def test_utf8_bom_is_dropped_from_the_first_line_only() -> None:
    assert [p.text for p in read_dockerignore("\ufeffdist\n")] == ["dist"]
    assert [p.text for p in read_dockerignore(b"\xef\xbb\xbfdist\n")] == ["dist"]
    assert [p.text for p in read_dockerignore(b"\xef\xbb\xbf# comment\nx\n")] == ["x"]
    assert [p.text for p in read_dockerignore("a\n\ufeffb\n")] == ["a", "\ufeffb"]


def test_bytes_with_invalid_utf8_are_read() -> None:
    patterns = read_dockerignore(b"caf\xe9\n*.log\n")
    assert len(patterns) == 2
    matcher = PatternMatcher(patterns)
    assert matcher.matches("app.log") is True
    assert matcher.matches("caf\udce9") is True  # the path as os.fsdecode gives it


def test_last_line_without_newline_is_read() -> None:
    assert [p.text for p in read_dockerignore("a\nb")] == ["a", "b"]
    assert read_dockerignore("") == []


def test_a_line_too_long_for_bufio_scanner_is_an_error() -> None:
    assert len(read_dockerignore("x" * 65535 + "\n")) == 1
    with pytest.raises(InputError) as raised:
        read_dockerignore("ok\n" + "x" * 65536 + "\n")
    assert raised.value.line == 2
    assert "token too long" in str(raised.value)


# --- evidence: which pattern decided ---------------------------------------------------------

DOCKERIGNORE = """\
# Python
__pycache__
*.pyc

.env*
!.env.example
**/node_modules
"""


def test_more_patterns_than_the_bound_are_refused_at_the_first_one_over() -> None:
    lines = ["# generated", *(f"dir{i}/**/*.tmp" for i in range(MAX_IGNORE_PATTERNS)), "", "x"]
    assert len(read_dockerignore("\n".join(lines[:-2]))) == MAX_IGNORE_PATTERNS
    with pytest.raises(InputError, match="more than 10,000 patterns") as raised:
        read_dockerignore("\n".join(lines))
    assert (raised.value.line, raised.value.kind) == (MAX_IGNORE_PATTERNS + 3, "limit")


def test_deciding_pattern_reports_the_line() -> None:
    matcher = PatternMatcher(read_dockerignore(DOCKERIGNORE))

    decider = matcher.deciding_pattern("__pycache__/mod.pyc")
    assert decider is not None
    assert (decider.line, decider.text, decider.raw) == (2, "__pycache__", "__pycache__")
    evidence = f"excluded by line {decider.line}: {decider.raw}"
    assert evidence == "excluded by line 2: __pycache__"

    decider = matcher.deciding_pattern("web/node_modules/react/index.js")
    assert decider is not None and decider.line == 7

    # A re-included path is decided by the exception.
    decider = matcher.deciding_pattern(".env.example")
    assert decider is not None
    assert (decider.line, decider.exclusion) == (6, True)
    assert matcher.matches(".env.example") is False

    # No pattern matched: nothing to report.
    assert matcher.deciding_pattern("app/main.py") is None
    assert matcher.matches("app/main.py") is False


def test_deciding_pattern_is_the_last_one_that_changed_the_result() -> None:
    matcher = PatternMatcher(read_dockerignore("docs\n!docs/*.md\ndocs/draft*.md\n"))
    decider = matcher.deciding_pattern("docs/draft-1.md")
    assert decider is not None and decider.line == 3
    decider = matcher.deciding_pattern("docs/guide.md")
    assert decider is not None and decider.line == 2


# --- errors -------------------------------------------------------------------------------------


def test_bad_pattern_reports_its_line() -> None:
    patterns = read_dockerignore("dist\n\n[\n")  # ReadAll itself does not check syntax
    with pytest.raises(InputError) as raised:
        PatternMatcher(patterns)
    assert raised.value.line == 3
    assert raised.value.message == "bad pattern '[': syntax error in pattern"
    assert raised.value.line == 3


def test_lone_bang_is_an_error_with_its_line() -> None:
    patterns = read_dockerignore("dist\n! \n")
    assert [(p.text, p.exclusion) for p in patterns] == [("dist", False), ("", True)]
    with pytest.raises(InputError) as raised:
        PatternMatcher(patterns)
    assert raised.value.line == 2
    assert 'illegal exclusion pattern: "!"' in raised.value.message


def test_error_from_a_list_has_no_line() -> None:
    with pytest.raises(InputError) as raised:
        PatternMatcher(["ok", "a[b-"])
    assert raised.value.line is None
    assert raised.value.message == "bad pattern 'a[b-': syntax error in pattern"


def test_invalid_regexp_fails_when_the_pattern_is_evaluated() -> None:
    # Go's filepath.Match accepts the reversed range l-O; Go's regexp package does not.
    matcher = PatternMatcher(read_dockerignore("build\n[Local-Only]/\n"))
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            matcher.matches("src/app.py")
        assert raised.value.line == 2
        assert "syntax error in pattern" in raised.value.message
        assert "invalid character class range" in raised.value.message
    # A path already excluded skips the remaining inclusion patterns, as upstream does.
    assert matcher.matches("build/out.bin") is True


def test_syntax_check_stops_after_the_first_failing_chunk_like_go() -> None:
    # filepath.Match("a*[", ".") fails on "a" and never parses "[", so New accepts it;
    # the regexp "^a[^/]*[$" then has an unclosed class.
    matcher = PatternMatcher(["a*["])
    with pytest.raises(InputError, match="missing closing"):
        matcher.matches("abc")


def test_a_single_string_is_not_a_pattern_list() -> None:
    with pytest.raises(TypeError):
        PatternMatcher("*.md")  # a str is a Sequence[str], so only a runtime check helps


# --- the matcher API -------------------------------------------------------------------------


def test_string_entries_behave_like_go_constructor_input() -> None:
    matcher = PatternMatcher(["  docs  ", "", "!docs/README.md", "/abs"])
    assert [(p.text, p.exclusion, p.line, p.raw) for p in matcher.patterns] == [
        ("docs", False, 0, "  docs  "),
        ("docs/README.md", True, 0, "!docs/README.md"),
        ("/abs", False, 0, "/abs"),  # the constructor does not strip "/"; ReadAll does
    ]
    assert matcher.matches("/abs") is True
    assert matcher.matches("abs") is False


def test_pattern_objects_are_kept_as_given() -> None:
    patterns = read_dockerignore("*.log\n!keep.log\n")
    matcher = PatternMatcher(patterns)
    assert matcher.patterns[0] is patterns[0]
    assert matcher.patterns[1] is patterns[1]


def test_hand_built_patterns_are_cleaned_like_the_constructor_does() -> None:
    matcher = PatternMatcher([Pattern(text="a/./b/", exclusion=False, line=4, raw="a/./b/")])
    assert matcher.patterns == (Pattern(text="a/b", exclusion=False, line=4, raw="a/./b/"),)


def test_paths_are_cleaned_and_the_root_never_matches() -> None:
    matcher = PatternMatcher(["**"])
    assert matcher.matches("./src//app.py") is True
    assert matcher.matches("src/app.py/") is True
    assert matcher.matches(".") is False
    assert matcher.matches("") is False


# --- Go's glob and regexp, not Python's or the shell's ---------------------------------------


def test_bang_inside_brackets_is_not_a_negation() -> None:
    # Go's filepath.Match only knows [^...]; [!a] is the set {"!", "a"}.
    matcher = PatternMatcher(["[!a].txt"])
    assert matcher.matches("!.txt") is True
    assert matcher.matches("a.txt") is True
    assert matcher.matches("b.txt") is False
    caret = PatternMatcher(["[^a].txt"])
    assert caret.matches("b.txt") is True
    assert caret.matches("a.txt") is False


def test_character_ranges_and_question_mark() -> None:
    matcher = PatternMatcher(["log-[0-9][0-9]?.txt"])
    assert matcher.matches("log-12a.txt") is True
    assert matcher.matches("log-1a.txt") is False
    assert matcher.matches("log-12/.txt") is False  # "?" never matches "/"


def test_backslash_escapes_the_next_character() -> None:
    matcher = PatternMatcher(["a\\*b"])
    assert matcher.matches("a*b") is True
    assert matcher.matches("axb") is False


def test_escapes_reach_go_regexp_syntax() -> None:
    # Upstream copies "\d" into its regexp, where Go reads it as a digit class.
    digit = PatternMatcher(["file\\d"])
    assert digit.matches("file7") is True
    assert digit.matches("filed") is False
    # POSIX classes are Go regexp syntax too.
    posix = PatternMatcher(["v[[:digit:]]"])
    assert posix.matches("v1") is True
    assert posix.matches("vd") is False


def test_any_byte_escape_is_refused_like_go() -> None:
    # RE2 accepts `\\C`; Go's regexp (and so Docker) refuses it, as the first error it meets.
    for pattern, wrong in (("a\\C", "`\\C`"), ("\\C\\8", "`\\C`"), ("\\8\\C", "`\\8`")):
        with pytest.raises(InputError) as raised:
            PatternMatcher([pattern]).matches("a")
        assert f"invalid escape sequence: {wrong}" in raised.value.message
    # Inside \\Q...\\E it is two literal characters; an escaped backslash is no escape of C.
    assert PatternMatcher(["\\Q\\C\\E?"]).matches("\\Cx") is True
    assert PatternMatcher(["\\\\C?"]).matches("\\Cx") is True


def test_go_wording_of_regexp_errors() -> None:
    with pytest.raises(_GoRegexpError, match=r"missing closing \]: `\[\$`"):
        _compile_go_regexp("^a[$")
    with pytest.raises(_GoRegexpError, match=r"invalid character class range: `l-O`"):
        _compile_go_regexp("^[l-O]$")


def test_a_regexp_past_re2s_memory_budget_is_a_located_limit() -> None:
    # Go would compile it; RE2 refuses to spend the memory. The pattern is not evaluated.
    matcher = PatternMatcher(read_dockerignore("build\n" + "\\pL" * 600 + "\n"))
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            matcher.matches("src")
        assert raised.value.line == 2
        assert raised.value.kind == "limit"
        assert "memory budget" in raised.value.message
    assert matcher.matches("build/x") is True


def test_matching_time_stays_linear() -> None:
    # A backtracking engine needs exponential time here; Go's RE2 (and this port) do not.
    matcher = PatternMatcher(["**/**/**/**/**/**/*.z"])
    path = "a/b/c/d/e/" * 50 + "x"
    started = time.perf_counter()
    assert matcher.matches(path) is False
    assert time.perf_counter() - started < 5


# --- the regexp engine against independent references -----------------------------------------


def _random_cases(seed: int, pieces: list[str], count: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7)))
        path = "".join(rng.choice("ab/.*(|$1 ") for _ in range(rng.randint(0, 8)))
        cases.append((pattern, path))
    return cases


def test_re2_agrees_with_python_re_where_the_syntaxes_coincide() -> None:
    pieces = ["a", "b", "/", "*", "?", "[ab]", "[^a]", "**", "\\*", ".", "(", "|", "$", "\\b"]
    compared = 0
    for pattern, path in _random_cases(11, pieces, 4000):
        match_type, go_regexp = _translate(pattern)
        if match_type != "regexp":
            continue
        # Go's "$" here is the end of text: Python's \Z. \b is ASCII in both with re.ASCII.
        python_regexp = go_regexp[:-1] + r"\Z"
        expected = re.search(python_regexp, path, re.ASCII) is not None
        found = _compile_go_regexp(go_regexp).search(path) is not None
        assert found is expected, (pattern, path)
        compared += 1
    assert compared > 2000


def test_star_and_question_mark_agree_with_go_filepath_match() -> None:
    # Without "**", classes or regexp-only characters, upstream's regexp and
    # filepath.Match accept the same names.
    compared = 0
    for pattern, path in _random_cases(5, ["a", "b", "/", "*", "?", "\\*", ".", "("], 3000):
        match_type, go_regexp = _translate(pattern)
        if match_type == "regexp" and "**" not in pattern:
            expected = _go_filepath_match(pattern, path)
            found = _compile_go_regexp(go_regexp).search(path) is not None
            assert found is expected, (pattern, path)
            compared += 1
    assert compared > 1000


def test_the_literal_prefix_only_skips_paths_the_regexp_rejects() -> None:
    # A rule runs its regexp only on paths that start with the regexp's literal prefix:
    # it must give the regexp's answer on every path.
    pieces = ["a", "b", "ab/", "/", "*", "?", "[ab]", "\\.", ".", "+", "^", "$", "(", "{", "\\*"]
    rng = random.Random(3)
    compared = skipped = 0
    for _ in range(3000):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        match_type, go_regexp = _translate(pattern)
        if match_type != "regexp":
            continue
        try:
            regexp = _compile_go_regexp(go_regexp)
        except _GoRegexpError:
            continue
        rule = _Rule(Pattern(text=pattern, exclusion=False, line=1, raw=pattern))
        literal = _literal_prefix(go_regexp)
        for _ in range(8):
            path = "".join(rng.choice("ab/.*(|$+{^") for _ in range(rng.randint(0, 8)))
            if rng.random() < 0.5:
                path = literal + path  # half of them get past the prefix
            skipped += not path.startswith(literal)
            expected = regexp.search(path) is not None
            assert rule.match(path, path) is expected, (pattern, path)
            compared += 1
    assert compared > 5000
    assert skipped > 1000


def test_a_matcher_says_when_every_pattern_is_compiled() -> None:
    # Go compiles a pattern when a path first reaches it; `[z-a]` fails only then.
    matcher = PatternMatcher(["*.pyc", "[z-a]*"])
    assert not matcher.compiled
    assert matcher.matches("x.pyc")  # decided by the first pattern: the second is skipped
    assert not matcher.compiled
    with pytest.raises(InputError, match=r"bad pattern '\[z-a\]\*'"):
        matcher.matches("main.py")
    ok = PatternMatcher(["*.pyc"])
    ok.matches("main.py")
    assert ok.compiled
