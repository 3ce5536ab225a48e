"""What single agent utterances count as: the hard cases of the ASAP rules."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "i'm so sorry about that",
        "im really sorry this happened",
        "please accept my sincere apologies for the delay",
        "we apologise for the trouble this has caused you",
        "oh no i'm sorry",
        "sorry to keep you waiting",
    ],
)
def test_sincere_apologies_tick_apologize(agent_says, text):
    steps, warnings = agent_says(text)
    assert "apologize" in steps
    assert "hollow_apology" not in warnings


@pytest.mark.parametrize(
    "text",
    [
        "sorry could you repeat your postcode",
        "sorry i missed the last part",
        "i'm sorry i didn't catch your name",
        "sorry what was the postcode",
        "sorry one second my screen froze",
        "oh i'm sorry go ahead",
    ],
)
def test_sorry_as_a_filler_is_not_an_apology(agent_says, text):
    steps, warnings = agent_says(text)
    assert "apologize" not in steps
    assert "hollow_apology" not in warnings


@pytest.mark.parametrize(
    "text",
    [
        "we're sorry for any inconvenience this may have caused",
        "we apologize for any inconvenience caused",
        "i'm sorry you feel that way but the fraud system flagged it",
        "i'm sorry if you were confused by the bill",
        "sorry you see it that way",
        "i'm sorry but there is nothing more i can do",
        "we regret any inconvenience",
    ],
)
def test_hollow_apology_warns_and_does_not_tick_apologize(agent_says, text):
    steps, warnings = agent_says(text)
    assert "hollow_apology" in warnings
    assert "apologize" not in steps


@pytest.mark.parametrize(
    "text",
    [
        "i understand how frustrating it is to wait for something",
        "i can see why you're upset",
        "that sounds incredibly stressful especially with a deadline coming up",
        "i'd be frustrated too if i had to repeat myself",
        "i completely understand your frustration",
        "i can only imagine how stressful that must have been",
        "no wonder you're frustrated",
        "i understand how you feel",
        "you're right to be upset",
    ],
)
def test_validating_the_feeling_ticks_sympathize(agent_says, text):
    assert "sympathize" in agent_says(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "i understand but that's our policy we can't refund opened items",
        "i don't see why you're upset",
        "i understand your frustration but rules are rules",
        "i understand",
        "i see the charge",
    ],
)
def test_sympathy_taken_back_or_negated_does_not_tick(agent_says, text):
    assert "sympathize" not in agent_says(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "this is on us and i'm going to make it right",
        "what happened is our system kept the address and we should have asked you to confirm it",
        "that was our mistake",
        "we dropped the ball and i'll personally own this from here",
        "the outage was on our side",
        "this should never have happened",
        "i take full responsibility for this",
    ],
)
def test_owning_the_fault_ticks_accept_responsibility(agent_says, text):
    steps, warnings = agent_says(text)
    assert "accept_responsibility" in steps
    assert not warnings & {"blame", "defensive"}


@pytest.mark.parametrize(
    "text",
    [
        "that's not on us ma'am the technician is a contractor",
        "it's not our responsibility what they do on site",
        "it wasn't our fault",
    ],
)
def test_negated_ownership_is_defensive_not_ownership(agent_says, text):
    steps, warnings = agent_says(text)
    assert "accept_responsibility" not in steps
    assert "defensive" in warnings


@pytest.mark.parametrize(
    "text",
    [
        "honestly that's the courier's fault they always throw the boxes around",
        "whoever told you that was wrong that's the repairs team not us",
        "the warehouse sent the wrong item not us",
        "the previous agent gave you the wrong information",
        "it's not on us it's the warehouse",
    ],
)
def test_pushing_the_fault_onto_others_is_blame(agent_says, text):
    assert "blame" in agent_says(text)[1]


@pytest.mark.parametrize(
    "text",
    [
        "well that's not my fault i just started my shift",
        "you should have read the terms before you signed up",
        "sir you need to calm down and stop shouting",
        "that's our policy",
        "there's nothing i can do",
        "that's not my department",
        "i can't refund that",
        "as i already said the fee is non refundable",
    ],
)
def test_arguing_lecturing_or_stonewalling_is_defensive(agent_says, text):
    assert "defensive" in agent_says(text)[1]


@pytest.mark.parametrize(
    "text",
    [
        "here's what i'm going to do i'll send a replacement today by express shipping",
        "let me reset your access right now",
        "okay i've changed it to friday",
        "i'm waiving the late fee and you'll see the credit on your next statement",
        "what i can do is waive the fee",
        "no problem i'll send it now",
    ],
)
def test_saying_what_you_will_do_ticks_take_action(agent_says, text):
    assert "take_action" in agent_says(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "let me put you on hold while i transfer you to technical support",
        "i'll transfer you now",
        "i'm going to bring my colleague maria onto this call",
        "you'll have to call them",
        "we can't refund opened items",
        "is there anything else i can help you with today",
    ],
)
def test_holds_handoffs_and_refusals_are_not_actions(agent_says, text):
    assert "take_action" not in agent_says(text)[0]


def test_polite_routine_talk_raises_nothing(agent_says):
    for text in [
        "sure what's the new address",
        "thanks jane is there anything else",
        "can you confirm your date of birth",
        "thank you for your patience",
    ]:
        assert agent_says(text) == (set(), set()), text


def test_recognition_slips_in_long_words_are_forgiven(agent_says):
    assert "apologize" in agent_says("i sincerely apologyze for that")[0]
    assert "accept_responsibility" in agent_says("we take full responsibilty")[0]


def test_a_word_a_playbook_stem_covers_is_not_corrected_into_another(agent_says):
    # "contact*" covers "contacting": it must not become "connecting" (a transfer word).
    assert "take_action" in agent_says("i'm contacting our billing processor now")[0]
    assert "take_action" in agent_says("we are contacting the courier today")[0]


def test_contractions_with_and_without_apostrophes_match_alike(agent_says):
    assert agent_says("that's on us") == agent_says("thats on us") == agent_says("that is on us")
    assert "defensive" in agent_says("you should've called us sooner")[1]


@pytest.mark.parametrize(
    ("text", "steps", "warnings"),
    [
        ("that was a mistake on our part", {"accept_responsibility"}, set()),
        ("we clearly got it wrong", {"accept_responsibility"}, set()),
        ("it's understandable you're angry", {"sympathize"}, set()),
        ("anyone in your position would be annoyed", {"sympathize"}, set()),
        ("if i were you i'd be livid", {"sympathize"}, set()),
        ("it is what it is", set(), {"defensive"}),
        ("i've already told you three times", set(), {"defensive"}),
        ("the guy you spoke to before got it wrong", set(), {"blame"}),
        ("that's on the post office", set(), {"blame"}),
        ("to be honest that's down to the manufacturer", set(), {"blame"}),
        ("we're sorry you were disappointed", set(), {"hollow_apology"}),
        ("i apologise if we caused you any distress", set(), {"hollow_apology"}),
        ("let me get that refunded for you", {"take_action"}, set()),
        ("i'm putting a rush on your order", {"take_action"}, set()),
        ("i'll get a new one out to you today", {"take_action"}, set()),
        ("let me look into it", set(), set()),
        ("let me make sure i have the right account", set(), set()),
        ("you should get a reset link now", set(), set()),
        ("sorry you broke up there", set(), set()),
    ],
)
def test_other_wordings_of_the_same_behaviours(agent_says, text, steps, warnings):
    assert agent_says(text) == (steps, warnings)


@pytest.mark.parametrize(
    "text",
    [
        "i'm sorry about that but it's not our fault",
        "sorry about that but there's a process",
        "i'm sorry but i won't be spoken to like that",
    ],
)
def test_a_but_after_the_apology_that_leads_to_an_excuse_makes_it_hollow(agent_says, text):
    steps, warnings = agent_says(text)
    assert "hollow_apology" in warnings
    assert "apologize" not in steps


@pytest.mark.parametrize(
    "text",
    [
        "i'm so sorry about that but the good news is i can fix it today",
        "i'm really sorry but let me see what i can do",
        "i'm sorry but i can sort this out for you right now",
    ],
)
def test_a_but_after_the_apology_that_leads_to_help_keeps_it(agent_says, text):
    steps, warnings = agent_says(text)
    assert "apologize" in steps
    assert "hollow_apology" not in warnings
