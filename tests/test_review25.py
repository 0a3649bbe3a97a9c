"""Review 25: a deal under enhanced due diligence says what each outcome of the answers calls for."""

from __future__ import annotations

from helpers import COMPANY, EXAMPLE_DEALS

from clausegen import api, checkrecord, memo
from clausegen.screening import Decision, screen


def _steps(name: str) -> list[tuple[str, str]]:
    deal = api.load_deal(EXAMPLE_DEALS[name], COMPANY).deal
    screening = screen(deal)
    assert screening.decision == Decision.ENHANCED_DUE_DILIGENCE
    return memo.next_steps(deal, screening, checkrecord.resolve(deal))


def test_enhanced_due_diligence_screens_again_and_says_what_missing_answers_and_each_decision_call_for():
    steps = _steps("onprem-logistics-kz")
    outcomes = [pair for pair in steps if pair[0].startswith("Внести полученные сведения")]
    assert len(outcomes) == 1
    ru, en = outcomes[0]
    for part in ("повторить проверку до поставки", "не получены в срок, установленный в запросе",
                 "достоверно известно", "названных в п. 4.1 Декларации", "в том числе через посредников",
                 "обратиться в Комиссию по экспортному контролю", "при выдаче разрешения",
                 "дополнительным соглашением", "только после подписания этих условий и в их пределах",
                 "при отказе в выдаче разрешения"):
        assert part in ru
    for part in ("screen again before any delivery", "within the time the request sets", "4.1 of the Declaration",
                 "apply to the Export Control Commission", "if permission is granted", "supplementary agreement",
                 "if permission is refused"):
        assert part in en


def test_the_outcomes_come_after_the_answers_are_received_and_before_the_approval():
    firsts = [ru.split(" ")[0] for ru, _ in _steps("onprem-logistics-kz")]
    assert firsts.index("Получить") < firsts.index("Внести") < firsts.index("Утвердить")
