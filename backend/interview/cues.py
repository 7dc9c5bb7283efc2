"""Word lists the offline grader reads answers with (Korean and English): text addressed to the
grader, hedges, reasoning, examples, STAR, behavioural anti-patterns."""

from __future__ import annotations

import re

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

# STAR cues for behavioural answers (the candidate's own actions are read with FIRST_PERSON and OWN_ACTION).
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
    "result": re.compile(
        r"\d|%|\bpercent\b|\bresult\b|\breduc|\bimprov|\bsince then\b|\bafterwards\b|\blearn(?:ed|t)\b|\bended up\b|"
        r"\bnow\b|\b(?:finish|ship|launch|deliver|sav|cut|drop|fell|rose|increas|decreas|resolv|solv|adopt)\w*\b|"
        r"\bahead of\b|\bon time\b|\bzero\b|\b(?:two|three|four|five|ten|twice|half)\b|"
        r"결과|줄였|줄었|늘었|높였|개선|이후|배웠|배운|지금도|덕분|끝냈|마쳤|출시|해결|단축|절감|달성|성공",
        re.IGNORECASE,
    ),
}

# A STAR part's label opening a sentence ("Result: …", "**상황:** …"): it names the part, it is no evidence of it.
STAR_LABEL = re.compile(
    r"^\W*(?:situation|task|action|result|상황|과제|행동|결과|[star])\W*?\s*[:：\-–—)]\W*\s*", re.IGNORECASE
)

# Behavioural anti-patterns that interview guides warn about, whatever the question: shifting blame
# or speaking badly of others, and leading with pay, perks or prestige. A story told with these reads
# fluently and hits every STAR cue, so they count as evidence against the answer, like a contradicted
# claim in a technical one.
DEFLECTION = re.compile(
    r"\bblam(?:e|ed|ing)\b|\b(?:their|his|her|its) fault\b|"
    r"\bnot (?:really )?(?:on me|(?:my|our|an? \w+'s|the \w+'s) (?:fault|job|problem))\b|"
    r"\bwasn't (?:really )?(?:on me|my (?:fault|job|problem))\b|"
    r"\bincompetent\b|\blazy\b(?!-| (?:load|evaluat|initiali))|\bclueless\b|\buseless\b|"
    r"\bterrible\b|\bawful\b|\btoxic\b|\bdisorgani[sz]ed\b|\bidiots?\b|\bnot (?:very |particularly )?competent\b|"
    r"\bif (?:the )?(?:others?|they|he|she) had (?:just |only )?done (?:their|his|her) (?:jobs?|part)\b|"
    r"탓|제 잘못이 아니|잘못은? (?:하나도 )?없|제 잘못이라고 (?:하기|보기)|제 책임이 아니|무능|엉망|답답|짜증|한심|"
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
            r"\b(?:is|was) (?:a|such a|an absolute) mess\b|\bin spite of (?:the|my) team\b|\bcompetent people\b|"
            r"\bnobody (?:listens|listened)\b|\bdoes(?:n't| not) know what (?:they|he|she)|\bprov(?:e|ing) \w+ wrong\b|"
            r"\b(?:just )?done (?:their|his|her) jobs?\b",
            r"말도 안 되는|듣지를? 않|그럴 줄 알았|일을 (?:정말 |너무 )?못|안 맞는 사람|하나도 모르",
        )
    ),
    re.IGNORECASE,
)
SELF_INTEREST = re.compile(
    r"\bsalary\b|\bpay\b|\bpaid\b|\bmoney\b|\bperks?\b|\bbenefits package\b|\bbonus\b|\bprestige\b|\bbrand name\b|"
    r"연봉|월급|급여|복지|보너스|처우|네임밸류|간판",
    re.IGNORECASE,
)

# A question put to the interviewer, asked outright or indirectly ("I'd like to know …", "… 궁금합니다").
ASKS = re.compile(
    r"\?\s*$|\bi(?:'d| would) (?:like|love) to (?:know|hear|understand)\b|\bi(?:'m| am) curious\b|\bi wonder\b|"
    r"\b(?:could|can) you (?:tell|share|walk|describe)\b|궁금합니다|궁금해요|알고 싶|"
    r"(?:나요|까요|니까|가요)[.!]?\s*$",
    re.IGNORECASE,
)

# Who acted: STAR answers are about the candidate's own actions, and a story told only in "we"
# hides them (the "we" problem).
# Korean ones as words of their own: "문제가" (a problem) and "결제 서비스" (payments) are nobody's.
FIRST_PERSON = re.compile(r"\bI\b|\bmy\b|\bmyself\b|(?<![가-힣])(?:제가|저는|제 )", re.IGNORECASE)
FIRST_PERSON_PLURAL = re.compile(r"\bwe\b|\bour\b|\bus\b|저희|우리|다 ?같이|모두 함께", re.IGNORECASE)
# What one always or usually does is a habit, not the specific event a story's situation needs.
# What keeps happening, or never did ("… 문제가 된 적은 없었던 것 같습니다"): not the specific event a situation needs.
HABITUAL = re.compile(
    r"\balways\b|\busually\b|\bgenerally\b|\btypically\b|항상|언제나|보통|늘 |적(?:은|이) 없", re.IGNORECASE
)

# Text addressed to the grader rather than the interviewer ("[Grader note: … score it 100]"): never
# part of the answer.
DIRECTED = re.compile(
    r"\bgrader\b|\bgrading (?:note|instruction)|\bscore (?:it|this|me)\b|\bgive (?:it|this|me|the answer)\b.{0,30}"
    r"(?:\d|full|max|points?|marks?|score)|\b(?:full|maximum|perfect) (?:marks|score)\b|\bignore (?:all |the |any )?"
    r"(?:previous|above|prior|earlier)\b|\binstructions?\b.{0,20}\b(?:ignore|override)|"
    r"채점|만점|점수를 (?:주|줘|매겨)|\d+\s*점(?:을|으로)?\s*(?:주|줘)|지시(?:를|사항)?\s*무시|이전 지시",
    re.IGNORECASE,
)

# Function words: a sentence has them, a keyword list does not.
FUNCTION_WORDS = re.compile(
    r"\b(?:is|are|was|were|be|it|that|which|because|so|the|a|an|of|to|when|if|has|have|does|do|can|will)\b|"
    r"[가-힣](?:은|는|이|가|을|를|에서|으로|로|하고|해서|니다|어요|아요|에요|예요|죠|다)(?=[\s.,!?]|$)",
    re.IGNORECASE,
)

EXAMPLE = re.compile(
    r"\bfor example\b|\bfor instance\b|\be\.g\.|\bsay\b|\blike when\b|\d|`|예를 들|예컨대|가령|예시",
    re.IGNORECASE,
)

# Past tense: a story of what happened, not of what one would do.
PAST = re.compile(
    r"\b(?:was|were|had|did|went|took|made|wrote|built|led|ran|saw|found|got|told|asked|said|spent|set|"
    r"began|chose|knew|felt|gave|kept|left|met|sent|thought|brought|caught)\b|\b\w{3,}ed\b|"
    r"었|았|였|했|됐|웠",
    re.IGNORECASE,
)

# Concrete detail: numbers, durations, named tools (a capitalised or mixed-case word inside a sentence).
SPECIFIC = re.compile(r"\d|(?<=\s)[A-Z][A-Za-z0-9]+[A-Z0-9][A-Za-z0-9]*|(?<=[a-z]\s)[A-Z][a-z]{2,}")
# When it happened, in words ("last spring", "작년 여름"): with SPECIFIC, what makes a situation one event.
WHEN = re.compile(
    r"\blast (?:year|month|week|quarter|spring|summer|autumn|fall|winter|sprint)\b|\bat my (?:previous|last|first)\b|"
    r"\b(?:a|one|two|three) (?:days?|weeks?|months?|years?) (?:ago|before)\b|작년|지난(?:해|달|주|분기|번)|당시|입사",
    re.IGNORECASE,
)
# Korean stories often leave out "제가": these verbs in the past tense are the candidate's own actions.
OWN_ACTION = re.compile(
    r"(?:제안|정리|작성|설계|구현|도입|분석|설득|요청|공유|진행|해결|개선|추가|자동화|검토|조사|테스트|배포|"
    r"리팩터링|문서화|대화|논의|확인|측정|기록|안내|조율|합의|설명|준비|시작|만들|바꾸|바꿨|물어|찾아|맡)",
)
# A behavioural question: a story of what the candidate did.
BEHAVIORAL_QUESTION = re.compile(
    r"\btell me about a time\b|\bdescribe a (?:time|situation)\b|\bgive (?:me )?an example of a time\b|"
    r"\bhave you ever\b|\bwhat motivates you\b|\bwhy do you want\b|경험|했던 (?:적|때|일)|사례를|동기 부여|지원 동기",
    re.IGNORECASE,
)
