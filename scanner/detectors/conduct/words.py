"""Word lists for the conduct check (guideline 2.5), English and French, written for smscan.

Kept apart from the matching code so they can be reviewed and extended on their own.
Entries are lower-case; accents are optional when matching (text is folded to ASCII).
Plurals in -s/-x are matched automatically, other inflections are listed.

SEVERE: profanity and slurs that are out of place in any post from the Agency's
accounts, whoever they are aimed at. INSULT: words that abuse a person or
organisation. MILD: rude words that only matter when aimed at the Agency/government.
FRENCH_ONLY_INSULTS are also ordinary English or French words ("con" in "pros and
cons", "cave" a cellar) and count only after a French lead-in ("bande de cons", "des
caves") and when no complement follows ("des caves à vin").
"""

from __future__ import annotations


def _entries(text: str) -> frozenset[str]:
    """Comma-separated entries (an entry may be several words)."""
    return frozenset(" ".join(e.split()) for e in text.split(",") if e.strip())


SEVERE = _entries(
    """
    arsehole, asshole, assholes, bastard, bastards, bitch, bitches, bullshit, calisse, ciboire,
    cocksucker, connard, connards, connasse, crisse, cunt, cunts, câlisse, dickhead, dickheads,
    encule, enculer, enculeur, enculé, enculée, enculés, enfoiré, enfoirée, enfoirés, esti,
    estie, faggot, fck, fcking, fcuk, fdp, fuck, fucked, fucker, fuckers, fuckface, fuckhead,
    fuckin, fucking, fucks, fuckwit, fuk, fukin, fuking, horseshit, kike, mofo, motherfucker,
    motherfucking, nigga, nigger, nique, niquer, ntm, osti, ostie, putain, pute, putes, pédé,
    retard, retarded, retards, salaud, salauds, salope, salopes, shithead, shitheads, shitty,
    slut, stfu, tabarnac, tabarnak, tabarnaque, tapette, tranny, twat, twats, viarge, wanker,
    wankers, whore, wtf
    """
)

INSULT = _entries(
    """
    abruti, abrutie, abrutis, batard, bouffon, bouffons, bâtards, clown, clowns, conne, connes,
    cretin, cretins, crook, crooks, crétin, crétine, crétins, dipshit, dipshits,
    douche, douchebag, douchebags, dumb, dumbass, dumbasses, débile, débiles, escrocs,
    gros cave, halfwit, halfwits, idiot, idiote, idiotes, idiotic, idiots, imbecile, imbeciles,
    imbécile, imbéciles, jackass, jackasses, liars, loser, losers, marde, menteurs, merde,
    merdique, minable, minables, moron, moronic, morons, niaiseuse, niaiseux, numpty, ordure,
    ordures, prick, pricks, raclure, scum, scumbag, scumbags, shit, shits, stupid, taré, tarée,
    tarés, tosser, tossers, trou de cul, trous de cul, voleurs, épais
    """
)

MILD = _entries(
    """
    allez vous faire foutre, bloody, bordel, chier, crap, crappy, câlice, damn, damned,
    de la marde, fait chier, fermez-la, foutaise, foutaises, foutre, go to hell, guignols,
    hostie, piss, pissed, sacrament, screw you, shut up, suck, sucks, ta gueule, tabernacle,
    va te faire foutre, vos gueules
    """
)

FRENCH_ONLY_INSULTS = _entries(
    """
    bouffon, cave, caves, con, cons, cul, gland, glands
    """
)

FRENCH_LEAD_INS = _entries(
    """
    bande, des, espece, espèce, gros, grosse, maudit, maudits, ptit, quel, quelle, quelles, quels,
    sale, sales
    """
)

# How the Agency and the Government of Canada are named in a post (folded to ASCII).
AGENCY_NAMES = _entries(
    """
    statistics canada, statistique canada, statistiques canada, statcan, stat can, stats can,
    statscan, stats canada, stat canada, statcanada, stats-can, stat-can, statistics-canada,
    @statcan_eng, @statcan_fra, chief statistician, statisticien en chef,
    statisticienne en chef, government of canada, gouvernement du canada, federal government,
    gouvernement federal, the government, le gouvernement, goc, gdc, census, recensement,
    the agency, l'agence, your agency, votre agence
    """
)

# Words after which an ambiguous word is a noun with a complement, not an insult.
FRENCH_COMPLEMENTS = _entries("a, à, de, du, d', en, pour")
