"""Reading what an answer claims, for the offline grader: words in order with their polarity, and
which compared term each word is said of.

Three checks build on this, all against the reference (key points and model-answer sentences):

- scoped negation: the claim denies a word the fact asserts ("the database can't detect deadlocks"
  against "the database detects cycles"), or asserts what the fact denies. A bare "not" anywhere in
  the sentence says nothing (strong answers negate as often as wrong ones); a negation bound to a
  word the fact uses does.
- attribute binding: in a question comparing terms ("process" and "thread"), the reference says
  which properties belong to which term. A claim that gives a term a property the reference gives
  only to the other term has swapped them ("each thread gets its own address space").
- role order: a claim that matches the reference's word order better once two role words are
  exchanged (compared terms, "larger"/"smaller", "major"/"minor") has them the wrong way round
  ("attach the larger tree under the smaller one").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from backend.interview.contrast import ROLE_PAIRS, compared_phrases, compared_terms, shared_words
from backend.rag.lexical import tokenize

# Words keep their hyphens and versions ("b-tree", "http/1.1") so compared terms stay distinct;
# comparison operators ("==", "!=") are tokens too, since a question may compare them.
_TOKEN = re.compile(r"[가-힣]+|[a-z0-9]+(?:'[a-z]+|(?:[-/][a-z0-9]+(?:\.[0-9]+)*)+)?|[=!<>]=|[.,;:!?()]", re.IGNORECASE)
# A prefix that negates the rest of the word: "uncompressed", "non-blocking", "비동기", "불변".
_EN_PREFIX = re.compile(r"^(?:un|non-?)(?=[a-z]{4,})(?!ique|iform|iversal|icode|ix\b|ited|like)")

# English words that deny what follows; their scope is the next few content words.
_EN_NEGATORS = frozenset(
    "not no never cannot can't don't doesn't didn't isn't aren't wasn't weren't won't wouldn't shouldn't "
    "couldn't hasn't haven't hadn't without nor neither".split()
)
# Adverbs between a negator and the word it denies ("doesn't really help").
_EN_SKIP = frozenset("really actually even always necessarily just quite ever also still be been have".split())
# "instead of overwriting", "rather than copying" deny what follows as "not" does.
_EN_NEGATING_PAIRS = frozenset({("instead", ("of",)), ("rather", ("than",))})
_EN_PRO_FORMS = frozenset(("one", "ones"))  # "round brackets instead of square ones"
_EN_SUBJECTS = frozenset("i you we they he she".split())
_EN_SCOPE = 2  # content words denied after an English negator: "can't detect deadlocks"

# Korean negates after the predicate: "보장하지 않는다", "필요 없다", "동기가 아니라"; "안"/"못" go before it.
_KO_AFTER = re.compile(r"^(?:않|없|아니|아닌|아님|못하|못해|못합|못했)")
_KO_BEFORE = frozenset(("안", "못"))
_KO_ADVERBIAL = re.compile(r"(?:으로|로|게|히)$")
_KO_PREDICATE = re.compile(r"[다요고며면죠는서지게해돼된될]$")
# Korean words that carry no claim, matched as written or by their first two syllables (the stem):
# connectives, demonstratives, degree and sequence adverbs, and the nominaliser 것
# ("암호화된 것이 아니다" denies 암호화, not 것).
_KO_STOP = frozenset(
    "그리고 그래서 하지만 그런데 그러나 또한 이런 저런 그런 이것 그것 저것 것이 것은 것도 것을 것만 것으 "
    "때문 경우 정도 사실 보통 이렇 먼저 그냥 바로 너무 정말 진짜 아주 매우 조금 다시 이제 일단".split()
)


@dataclass(frozen=True)
class Word:
    stem: str
    negated: bool


@lru_cache(maxsize=1 << 14)
def words(text: str, keep: frozenset[str] = frozenset()) -> tuple[Word, ...]:
    """Content words of `text` in order (English stemmed, Korean cut to two syllables), each marked
    when a negation in its scope denies it. Tokens in `keep` (compared terms that are stop words or
    operators, such as "is" and "==") are content words as written. Cached: the grader reads the
    same reference sentences for every claim."""
    raw = _TOKEN.findall(text.lower())
    out: list[Word] = []
    scope = 0  # English: content words still to be denied by the last negator
    deny_next = False  # Korean "안"/"못" before a predicate
    after_word = False  # the previous token is a content word: a kept stop word after one is a verb
    adverbial = -1  # position in `out` of the last Korean adverbial ("병렬로", "빠르게")
    for i, token in enumerate(raw):
        if token in keep and not (after_word and token.isalpha()):
            # "is compares identity" names the operator; "== is an equality check" uses the verb.
            out.append(Word(token, scope > 0))
            scope, after_word = max(0, scope - 1), True
            continue
        after_word = bool(tokenize(token)) or "가" <= token[0] <= "힣"
        if not token[0].isalnum() and not ("가" <= token[0] <= "힣"):
            scope, deny_next = 0, False  # punctuation ends a negation's scope
            continue
        if "가" <= token[0] <= "힣":
            if token in _KO_BEFORE:
                # "안 씁니다" denies the predicate; "페이지 안 오프셋" is "inside the page".
                following = raw[i + 1] if i + 1 < len(raw) else ""
                deny_next = token != "안" or bool(_KO_PREDICATE.search(following))
                continue
            if _KO_AFTER.match(token):
                if out:
                    out[-1] = Word(out[-1].stem, True)
                    if len(out) > 1 and adverbial == len(out) - 2:  # "병렬로 실행되지 않는다": not in parallel
                        out[-2] = Word(out[-2].stem, True)
                continue
            stem = token[:2]
            if len(token) >= 2 and stem not in _KO_STOP and token not in _KO_STOP:
                if _KO_ADVERBIAL.search(token) and len(token) > 2:
                    adverbial = len(out)
                out.append(Word(stem, deny_next))
            deny_next = False
            continue
        if token in _EN_NEGATORS or token.endswith("n't") or (token, tuple(raw[i + 1 : i + 2])) in _EN_NEGATING_PAIRS:
            scope = _EN_SCOPE
            continue
        if token in _EN_SUBJECTS:
            scope = 0  # a new clause's subject: "if it's not there you get it from the database"
            continue
        if token in _EN_SKIP or token in _EN_PRO_FORMS:
            continue
        prefixed = _EN_PREFIX.sub("", token)
        stems = [prefixed.removesuffix("s")] if "-" in prefixed or "/" in prefixed else tokenize(prefixed)
        if not stems:
            continue
        out.append(Word(stems[0], (scope > 0) != (prefixed != token)))
        scope = max(0, scope - 1)
    return tuple(out)


# "Different" says what "not the same" says ("ACID의 C와 다르다" against "ACID의 C랑 같은 개념").
_NOT_SAME = frozenset(("different", "differ", "다르", "달라"))  # not 다른, which is also "other"


def _plain(word: Word) -> Word:
    """`word`, with "different" read as a denied "same"."""
    if word.stem in _NOT_SAME:
        return Word("same", not word.negated)
    return Word("same", word.negated) if word.stem in ("same", "같은", "같다", "같아", "동일") else word


def polarity_conflict(fact: str, claim: str, topic: frozenset[str] = frozenset()) -> bool:
    """Does `claim` deny a word that `fact` asserts (or assert one that `fact` denies)?

    Words of `topic` (the question's) are left out: every answer mentions them, and a fact that
    denies one ("… and quicksort is not") is about something else.
    """
    fact_words = [_plain(w) for w in words(fact) if w.stem not in topic]
    claim_words = [_plain(w) for w in words(claim) if w.stem not in topic]
    asserted = {w.stem for w in fact_words if not w.negated}
    claim_asserted = {w.stem for w in claim_words if not w.negated}
    # A word both denied and asserted ("not per variable but per cache line") is not denied outright.
    denied = {w.stem for w in fact_words if w.negated} - asserted
    claim_denied = {w.stem for w in claim_words if w.negated} - claim_asserted
    # Only a clean polarity difference counts: when both sides negate something, their scopes rarely
    # line up well enough to compare.
    if claim_denied and not denied:
        return bool(claim_denied & asserted)
    if denied and not claim_denied:
        return bool(denied & claim_asserted)
    return False


def about_other_terms(fact: str, claim: str, terms: list[str]) -> bool:
    """Whether `fact` and `claim` name different compared terms and none in common ("401 … does not
    know who you are" against "403: the server knows it's you"): they describe different things."""
    named = [{w.stem for w in words(text, frozenset(terms))} & set(terms) for text in (fact, claim)]
    return bool(named[0] and named[1]) and not named[0] & named[1]


def _kept_terms(question: str) -> frozenset[str]:
    """Compared terms read as written: "==", and "non-data" against "data"."""
    return frozenset(
        t.lower() for pair in compared_terms(question) for t in pair if not tokenize(t) or _EN_PREFIX.match(t.lower())
    )


def entities(question: str, facts: list[str]) -> list[str]:
    """The terms a question compares: its content words that some reference sentence is about
    (names as its first content word), and the words two compared phrases differ in ("fan-out on
    write and fan-out on read": write, read; not the shared "fan-out"). A term the question sets
    against another ("is and ==") counts even when it is a stop word or an operator."""
    keep = _kept_terms(question)
    subjects = {ws[0].stem for fact in facts if (ws := words(fact, keep))}
    said = {w.stem for fact in facts for w in words(fact, keep)}
    differing = {w.stem for a, b in compared_phrases(question) for w in words(f"{a} {b}", keep)} & said
    heads = {w.stem for w in words(" ".join(shared_words(question)), keep)}
    return list(
        dict.fromkeys(
            w.stem for w in words(question, keep) if (w.stem in subjects or w.stem in differing) and w.stem not in heads
        )
    )


# Verbs that say little of their subject ("BFS goes outward", "DFS goes deep", "…를 씁니다"): not attributes.
_LIGHT_VERBS = frozenset(
    tokenize("go goes went get gets got make makes made take takes took use uses used put puts give gives come comes")
) | frozenset("하는 하고 하면 해서 했다 한다 합니 됩니 되는 되고 있는 있고 있다 있어 씁니 쓰는 쓰고".split())
# Where a new clause with its own subject may start: punctuation, English conjunctions, and Korean
# connective endings ("…이고", "…하며", "…지만", "…는데", "반면").
_EN_BREAK = frozenset("while whereas but and so because although though which unlike instead".split())
_KO_BREAK = re.compile(r"(?:고|며|지만|는데|면서|반면|으면|니까|므로|서)$")


def bindings(text: str, terms: list[str]) -> list[tuple[str, str]]:
    """(term, word) pairs: each content word of a clause bound to the compared term the clause names;
    a clause that names none continues the previous one's subject ("it", "they"). A denied word is
    not said of the term ("non-blocking calls don't wait"), and a clause that is only terms is the
    subject list of the next one ("a stack and a queue both hold items")."""
    keep = frozenset(terms)
    segments: list[list[str]] = [[]]
    for token in _TOKEN.findall(text.lower()):
        if token not in keep and ((not token[0].isalnum() and not ("가" <= token[0] <= "힣")) or token in _EN_BREAK):
            segments.append([])
            continue
        segments[-1].append(token)
        if "가" <= token[0] <= "힣" and _KO_BREAK.search(token):
            segments.append([])
    pairs: list[tuple[str, str]] = []
    subject = None
    pending: set[str] = set()  # terms of a clause that names nothing else
    for segment in segments:
        stems = words(" ".join(_without_comparison(segment)), keep)
        named = pending | {w.stem for w in stems if w.stem in terms}
        said = [w.stem for w in stems if w.stem not in terms and not w.negated and w.stem not in _LIGHT_VERBS]
        if named and not said and not any(w.negated for w in stems):
            pending = named
            continue
        pending = set()
        if len(named) > 1:
            subject = None  # "a stack and a queue both …": said of both, or too tangled to bind
            continue
        if named:
            subject = named.pop()
        if subject is not None:
            pairs.extend((subject, s) for s in said)
    return pairs


def _without_comparison(tokens: list[str]) -> list[str]:
    """The clause without the other side of a comparison ("… than processes", "프로세스보다 …"): what a
    clause compares its subject with is not its subject (Korean often leaves the subject out)."""
    out: list[str] = []
    skipping = False
    for token in tokens:
        if token in ("than", "unlike"):
            skipping = True
        elif skipping:
            skipping = not tokenize(token)  # skip up to the compared word, past "the", "a" …
        elif "가" <= token[0] <= "힣" and token.endswith("보다") and len(token) > 2:
            continue
        else:
            out.append(token)
    return out


def attribute_map(facts: list[str], terms: list[str]) -> dict[str, set[str]]:
    """For each compared term, the words the reference says of it."""
    out: dict[str, set[str]] = {t: set() for t in terms}
    for fact in facts:
        for term, word in bindings(fact, terms):
            out[term].add(word)
    return out


def swapped_attributes(claim: str, terms: list[str], attributes: dict[str, set[str]]) -> tuple[int, int]:
    """(words the claim gives to a term that the reference gives only to another term,
    words it gives to the right term); words the reference says of several terms count for neither."""
    wrong = right = 0
    if len(terms) < 2:
        return 0, 0
    for term, word in set(bindings(claim, terms)):
        owners = {t for t in terms if word in attributes[t]}
        if len(owners) != 1:
            continue
        if term in owners:
            right += 1
        else:
            wrong += 1
    return wrong, right


_ORDER_WINDOW = 4  # words after a word that its ordered pairs reach


@dataclass(frozen=True)
class RoleCheck:
    """What a question's reference says in which order: its sentences' ordered word pairs, and the pairs of
    words that swap roles (the compared terms, and opposites such as "major"/"minor") it uses."""

    swaps: tuple[tuple[str, str], ...]
    facts: tuple[frozenset[tuple[str, str]], ...]
    keep: frozenset[str]

    def gain(self, claim: str) -> int:
        """How many more of the reference's ordered word pairs the claim matches with a pair of role words
        exchanged ("attach the larger tree under the smaller": the reference says the smaller under the
        larger). What a claim compares its subject with ("… than HTTP/1.1") is left out, as in bindings."""
        if not self.swaps:
            return 0
        seq = _polar_stems(" ".join(_without_comparison(_TOKEN.findall(claim.lower()))), self.keep)
        base = max((len(ordered_pairs(seq) & f) for f in self.facts), default=0)
        best = 0
        for a, b in self.swaps:
            exchange = {a: b, b: a, _DENIED + a: _DENIED + b, _DENIED + b: _DENIED + a}
            if exchange.keys() & set(seq):
                swapped = ordered_pairs([exchange.get(w, w) for w in seq])
                best = max(best, max(len(swapped & f) for f in self.facts) - base)
        return best


def role_check(question: str, facts: list[str], terms: list[str]) -> RoleCheck:
    """The RoleCheck of a question: the pairs among its compared terms, its `terms` (entities()) and the
    role opposites ("major"/"minor", "sender"/"receiver") whose both words its reference uses."""
    keep = _kept_terms(question)
    sequences = [_polar_stems(fact, keep) for fact in facts]
    used = {w.removeprefix(_DENIED) for seq in sequences for w in seq}
    pairs = [*itertools.combinations(terms, 2), *_role_stems()]  # already stems
    for a, b in compared_terms(question):
        stems = [w.stem for w in words(a, keep)], [w.stem for w in words(b, keep)]
        if len(stems[0]) == len(stems[1]) == 1:
            pairs.append((stems[0][0], stems[1][0]))
    swaps = tuple(dict.fromkeys((a, b) for a, b in pairs if a != b and {a, b} <= used))
    return RoleCheck(swaps, tuple(frozenset(ordered_pairs(seq)) for seq in sequences), keep)


@lru_cache(maxsize=1)
def _role_stems() -> tuple[tuple[str, str], ...]:
    """ROLE_PAIRS as stems, the pairs of single words only."""
    stems = [([w.stem for w in words(a)], [w.stem for w in words(b)]) for a, b in ROLE_PAIRS]
    return tuple((a[0], b[0]) for a, b in stems if len(a) == len(b) == 1)


_DENIED = "¬"


def _polar_stems(text: str, keep: frozenset[str]) -> list[str]:
    """Stems in order, a denied one marked: "not encrypted" and "encrypted" are different words here."""
    return [_DENIED + w.stem if w.negated else w.stem for w in words(text, keep)]


def ordered_pairs(seq: list[str], window: int = _ORDER_WINDOW) -> set[tuple[str, str]]:
    """(word, a different word up to `window` words after it), for every word of `seq`."""
    return {(a, b) for i, a in enumerate(seq) for b in seq[i + 1 : i + 1 + window] if a != b}
