"""Word lists the offline grader reads answers with (Korean and English): Big-O, hedges, reasoning, STAR,
behavioural anti-patterns. Negation and compared terms are read in claims.py."""

from __future__ import annotations

import re

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
_SQUARED = re.compile(r"(?<![\w(])n\s*(?:²|\^\s*2)")
_OPERATOR = {"plus": "+", "times": "·", "더하기": "+", "곱하기": "·"}
_SPOKEN_OPERATORS = re.compile(r"\s*\b(plus|times|더하기|곱하기)\b\s*")


def complexities(text: str) -> set[str]:
    """Big-O classes named in `text`, normalised ("O(n log n)" → "o(nlogn)")."""
    low = _SPOKEN_OPERATORS.sub(lambda m: _OPERATOR[m.group(1)], text.lower())  # "O(V plus E)" is O(V + E)
    found = {"o(" + m.group(1).replace(" ", "").replace("²", "^2") + ")" for m in _BIG_O.finditer(low)}
    found |= {v for k, v in _COMPLEXITY_WORDS.items() if k in low}
    if _SQUARED.search(low):
        found.add("o(n^2)")  # "n²/20 copies": quadratic, written without the O
    return found


# A clause that reports a misconception ("a lot of people think it's encrypted") does not assert it.
MISCONCEPTION = re.compile(
    r"\b(?:people|many|some|everyone|they)\s+(?:\w+\s+)?(?:think|believe|assume|say)s?\b|\bmisconception|\bmyth\b|"
    r"\bmistak(?:e|en)\b|오해|착각|잘못 알",
    re.IGNORECASE,
)

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
    r"\bwhereas\b|\bunlike\b|\bfor example\b|\bfor instance\b|\be\.g\.|"
    r"때문|그래서|따라서|반면|대신|예를 들|예컨대|단점|장점|트레이드오프",
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
        r"\bresponsib|\bmy (?:role|job|goal|task)\b|\bi was (?:asked|supposed|in charge|owning)|"
        r"\bowning\b|\bown(?:ed)?\b|"
        r"\bgoal\b|\bneeded to\b|\bhad to\b|\bdeadline\b|맡|역할|목표|책임|해야|담당|주도",
        re.IGNORECASE,
    ),
    "action": re.compile(
        r"\bi (?:\w+ed|wrote|built|made|took|led|set|ran|sent|put|told|asked|chose|began|went|did|got|spoke)\b|"
        r"\bwe (?:agreed|decided|timeboxed|tested|compared|measured)\b|"
        r"제가|했습니다|했어요|했고|했는데|정했|만들|추가했|바꿨|물어",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\d|%|\bpercent\b|\bresult\b|\breduc|\bimprov|\bsince then\b|\bafterwards\b|\blearn(?:ed|t)\b|\bended up\b|"
        r"\bnow\b|결과|줄였|줄었|늘었|높였|개선|이후|배웠|배운|지금도|덕분",
        re.IGNORECASE,
    ),
}

# Behavioural anti-patterns that interview guides warn about, whatever the question: shifting blame
# or speaking badly of others, and leading with pay, perks or prestige. A story told with these reads
# fluently and hits every STAR cue, so they count as evidence against the answer, like a contradicted
# claim in a technical one.
DEFLECTION = re.compile(
    r"\bblam(?:e|ed|ing)\b|\b(?:their|his|her|its) fault\b|"
    r"\bnot (?:really )?(?:on me|(?:my|our|an? \w+'s|the \w+'s) (?:fault|job|problem))\b|"
    r"\bwasn't (?:really )?(?:on me|my (?:fault|job|problem))\b|"
    r"\bincompetent\b|\blazy\b(?!-| (?:load|evaluat|initiali))|\bclueless\b|\buseless\b|"
    r"\bterrible\b|\bawful\b|\btoxic\b|\bdisorgani[sz]ed\b|\bidiots?\b|"
    r"탓|제 잘못이 아니|제 잘못이라고 (?:하기|보기)|제 책임이 아니|무능|엉망|답답|짜증|한심|"
    r"(?:제|개발자|저희) 일이 아니",
    re.IGNORECASE,
)
# Collaboration anti-patterns: belittling a colleague, refusing to hear them out, going over their
# head instead of resolving it, and keeping score of who was right.
DISMISSAL = re.compile(
    "|".join(
        (
            r"\bone of those (?:people|guys|devs|developers|engineers)\b",
            r"\b(?:he|she|they) (?:didn't|did not|don't|doesn't) (?:really )?(?:understand|know what)",
            r"\b(?:didn't (?:really )?see the|no) point (?:in )?(?:debating|discussing|arguing|talking)",
            r"\bwasn't worth (?:debating|discussing|arguing)",
            r"\bwhen someone is wrong\b|\b(?:he|she|they) (?:was|were) (?:just |simply )?wrong\b",
            r"\bthe decision was right\b|\bi was right\b|\bproved (?:him|her|them) wrong\b",
            r"\bover (?:his|her|their) heads?\b|\brather than (?:spend(?:ing)? time )?(?:convinc|persuad|listen)\w*",
            r"이해하고 있다고 (?:보기|하기) 어려|(?:토론|논의|설득)할 필요를 못|설득\S* 시간을 쓰|일일이 (?:듣|들어)",
            r"제 판단이 맞|제가 맞았|틀린 사람|서먹",
        )
    ),
    re.IGNORECASE,
)
SELF_INTEREST = re.compile(
    r"\bsalary\b|\bpay\b|\bpaid\b|\bmoney\b|\bperks?\b|\bbenefits package\b|\bbonus\b|\bprestige\b|\bbrand name\b|"
    r"연봉|월급|급여|복지|보너스|처우|네임밸류|간판",
    re.IGNORECASE,
)

# Who acted: STAR answers are about the candidate's own actions, and a story told only in "we"
# hides them (the "we" problem).
FIRST_PERSON = re.compile(r"\bI\b|\bmy\b|\bmyself\b|제가|저는|제 ", re.IGNORECASE)
FIRST_PERSON_PLURAL = re.compile(r"\bwe\b|\bour\b|\bus\b|저희|우리", re.IGNORECASE)
