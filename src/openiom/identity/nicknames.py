"""Common English given-name variants, each mapped to one root so "Jon", "Johnny" and "John" compare equal.

Deliberately short: a wrong equivalence here makes different people look alike, so only widely
recognised forms are listed. The root is the first name of each group.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("john", "jon", "johnny", "jonny", "jack", "jonathan", "jonathon", "johnathan"),
    ("william", "will", "bill", "billy", "liam", "willie"),
    ("robert", "rob", "bob", "bobby", "robbie", "bert"),
    ("richard", "rich", "rick", "ricky", "dick", "richie"),
    ("james", "jim", "jimmy", "jamie", "jimmie"),
    ("michael", "mike", "mick", "mickey", "micky"),
    ("thomas", "tom", "tommy"),
    ("christopher", "chris", "kit"),
    ("anthony", "tony", "ant"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey", "davy"),
    ("joseph", "joe", "joey"),
    ("matthew", "matt", "matty"),
    ("andrew", "andy", "drew"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("steven", "stephen", "steve", "stevie"),
    ("samuel", "sam", "sammy"),
    ("benjamin", "ben", "benny"),
    ("alexander", "alex", "alec", "sandy"),
    ("nicholas", "nick", "nicky"),
    ("peter", "pete"),
    ("patrick", "pat", "paddy"),
    ("charles", "charlie", "chas", "chuck"),
    ("henry", "harry", "hal"),
    ("lee", "leigh"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("terence", "terry"),
    ("gregory", "greg"),
    ("nathan", "nathaniel", "nat", "nate"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza"),
    ("margaret", "maggie", "meg", "peggy"),
    ("catherine", "katherine", "kathryn", "kate", "katie", "kathy", "cath"),
    ("rebecca", "becky", "becca"),
    ("jennifer", "jen", "jenny"),
    ("victoria", "vicky", "vicki", "tori"),
    ("samantha", "sam", "sammy"),
    ("jessica", "jess", "jessie"),
    ("deborah", "debbie", "debra", "deb"),
    ("susan", "sue", "susie"),
    ("patricia", "pat", "patty", "trish"),
    ("nicola", "nicky", "nikki"),
    ("alexandra", "alex", "lexi"),
    ("charlotte", "charlie", "lottie"),
    ("kimberley", "kimberly", "kim"),
)


def _index() -> dict[str, str]:
    roots: dict[str, str] = {}
    for group in GROUPS:
        for name in group:
            # A form shared by two groups (Sam, Pat, Alex) keeps its first, male-name root; sex is
            # compared separately, so the ambiguity costs little.
            roots.setdefault(name, group[0])
    return roots


NICKNAME_ROOT = _index()


def name_root(name: str) -> str:
    """The root form of a normalised given name, or the name itself."""
    return NICKNAME_ROOT.get(name, name)
