"""Word lists the offline grader reads claims with (Korean and English): negation, opposites, hedges, STAR."""

from __future__ import annotations

import re

NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|none|neither|nor|without|isn't|aren't|doesn't|don't|didn't|won't|wasn't|"
    r"haven't|hasn't|shouldn't|wouldn't)\b|n't\b|않|없[다어고는이으지음]|못[하한해]|아니[다라고며에]|\s안\s|불가능",
    re.IGNORECASE,
)

# Pairs of opposite claims: (one side, other side), each a regex over lower-cased text.
# A key point on one side and an answer sentence only on the other side is a contradiction.
OPPOSITES: tuple[tuple[str, str], ...] = (
    (r"\bshar(?:e|es|ed|ing)\b|공유|같이 쓰|함께 쓰", r"\bown\b|\bprivate\b|\bseparate\b|\bisolat|독립|따로|각자|개별"),
    (r"\bcheap|\blight(?:weight|er)?\b|\bless expensive|싸[다고며서]?|저렴|가볍|가벼", r"\bexpensive|\bheav(?:y|ier)|\bcostl|비싸|무겁|무거"),
    (r"\bfast(?:er)?\b|\bquick(?:er|ly)?\b|빠르|빨라|빠른", r"\bslow(?:er)?\b|느리|느려|느린"),
    (r"\bincreas|\bincrement|\bgrow|\bmore\b|\bhigher\b|증가|늘어|늘리|높아|높이|커지", r"\bdecreas|\bdecrement|\bshrink|\bless\b|\bfewer\b|\blower\b|감소|줄어|줄이|낮아|낮추|작아지"),
    (r"\bbefore\b|\bfirst\b|먼저|이전에|전에", r"\bafter(?:wards)?\b|\blast\b|나중에|이후에|다음에"),
    (r"(?<!a)synchronous|(?<!비)동기", r"asynchronous|비동기"),
    (r"(?<!im)mutable|(?<!불)변경 가능|(?<!불)가변", r"immutable|변경 불가|불변"),
    (r"(?<!un)ordered|(?<!un)sorted|순서(?:가|를)? (?:유지|보장|있)", r"unordered|unsorted|순서(?:가|를)? (?:없|보장하지)"),
    (r"stateless|무상태|상태를 (?:저장하지|갖지) 않", r"stateful|상태(?:를)? (?:저장|유지)"),
    (r"\bfifo\b|first[- ]in[, ]+first|선입선출", r"\blifo\b|last[- ]in[, ]+first|후입선출"),
    (r"\balways\b|항상|반드시", r"\bnever\b|절대|결코"),
    (r"\bblock(?:s|ing|ed)?\b|블로킹|막힌|막혀|기다", r"non-?blocking|논블로킹|기다리지 않"),
    (r"\breliab|\bguarantee|\bensure|보장|신뢰", r"\bunreliab|\bno guarantee|\bbest[- ]effort|보장하지 않|보장 없"),
    (r"\bclient\b|클라이언트", r"\bserver\b|서버"),
    (r"\bread(?:s|ing)?\b|읽기|읽[는을어]", r"\bwrit(?:e|es|ing)\b|쓰기|쓰[는어]"),
    (r"\bhorizontal|수평|스케일 ?아웃", r"\bvertical|수직|스케일 ?업"),
    (r"\bstrong(?:ly)? consisten|강한 일관성", r"\beventual(?:ly)? consisten|최종 일관성|결과적 일관성"),
    (r"\bcommit", r"\brollback|\broll back|\babort|롤백"),
    (r"\bmyself\b|\bi (?:took|owned|led|did|fixed|wrote|asked|decided)|제가|제 (?:실수|잘못|책임)", r"\btheir fault|\bblam(?:e|ed|ing)\b|\bnot (?:really )?on me\b|\bwasn't my fault|탓|제 잘못이 아니|제 잘못이라고 하기"),
)

_COMPLEXITY_WORDS = {
    "constant time": "o(1)",
    "상수 시간": "o(1)",
    "logarithmic": "o(logn)",
    "로그 시간": "o(logn)",
    "linear time": "o(n)",
    "선형 시간": "o(n)",
    "quadratic": "o(n^2)",
    "이차 시간": "o(n^2)",
    "n log n": "o(nlogn)",
}
_BIG_O = re.compile(r"\bo\s*\(([^)]{1,20})\)")


def complexities(text: str) -> set[str]:
    """Big-O classes named in `text`, normalised ("O(n log n)" → "o(nlogn)")."""
    low = text.lower()
    found = {"o(" + m.group(1).replace(" ", "").replace("²", "^2") + ")" for m in _BIG_O.finditer(low)}
    found |= {v for k, v in _COMPLEXITY_WORDS.items() if k in low}
    return found


HEDGES = re.compile(
    r"\bi think\b|\bi guess\b|\bmaybe\b|\bprobably\b|\bkind of\b|\bsort of\b|\bsomething like\b|\bi'm not sure\b|"
    r"\bi believe\b|\bbasically\b|\bstuff\b|\bthings?\b|아마|것 같|같아요|뭔가|그런 거|잘은 모르|대충|정도로 알",
    re.IGNORECASE,
)

DONT_KNOW = re.compile(
    r"\bi (?:do not|don't|dont) know\b|\bno idea\b|\bnot sure\b|\bpass\b|\bskip\b|\bidk\b|\bdunno\b|\bno comment\b|"
    r"모르겠|몰라|모릅니다|잘 모르|패스|넘어가|생각이 안 나|기억이 안",
    re.IGNORECASE,
)

REASONING = re.compile(
    r"\bbecause\b|\bso that\b|\bwhich means\b|\bthat's why\b|\btrade-?offs?\b|\bthe downside\b|\bin contrast\b|"
    r"\bwhereas\b|\bunlike\b|\bfor example\b|\bfor instance\b|\be\.g\.|때문|그래서|따라서|반면|대신|예를 들|예컨대|단점|장점|트레이드오프",
    re.IGNORECASE,
)

STRUCTURE = re.compile(
    r"\bfirst(?:ly)?\b|\bsecond(?:ly)?\b|\bthen\b|\bfinally\b|\bin short\b|\bso\b|\bbut\b|\bfor example\b|"
    r"첫째|둘째|먼저|그다음|마지막으로|요약하면|정리하면|그래서|하지만|예를 들",
    re.IGNORECASE,
)

# STAR cues for behavioural answers.
STAR: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"\bwhen\b|\bonce\b|\bat my\b|\bat (?:a|an|our)\b|\bproject\b|\blast (?:year|month|quarter)\b|\bteam\b|"
        r"\bcompany\b|\bstartup\b|\bcustomer\b|\brelease\b|때|당시|프로젝트|회사|작년|예전|팀|고객|출시|스타트업",
        re.IGNORECASE,
    ),
    "task": re.compile(
        r"\bresponsib|\bmy (?:role|job|goal|task)\b|\bi was (?:asked|supposed|in charge|owning)|\bowning\b|\bown(?:ed)?\b|"
        r"\bgoal\b|\bneeded to\b|\bhad to\b|\bdeadline\b|맡|역할|목표|책임|해야|담당|주도",
        re.IGNORECASE,
    ),
    "action": re.compile(
        r"\bi (?:\w+ed|wrote|built|made|took|led|set|ran|sent|put|told|asked|chose|began|went|did|got|spoke)\b|"
        r"\bwe (?:agreed|decided|timeboxed|tested|compared|measured)\b|제가|했습니다|했어요|했고|했는데|정했|만들|추가했|바꿨|물어",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\d|%|\bpercent\b|\bresult\b|\breduc|\bimprov|\bsince then\b|\bafterwards\b|\blearn(?:ed|t)\b|\bended up\b|"
        r"\bnow\b|결과|줄였|줄었|늘었|높였|개선|이후|배웠|배운|지금도|덕분",
        re.IGNORECASE,
    ),
}
