"""Actor normalisation on English and French news phrasing: named groups, state forces, unnamed agents."""

from __future__ import annotations

import pytest

from coder.normalise.actors import acled_country_name, clean_span, country_mentions, find_group, fold, normalise_actor


def _codes(text: str, lang: str, context: str | None) -> tuple[str | None, str | None, int | None]:
    a = normalise_actor(text, lang, context)
    return a.cameo_code, a.country, a.inter


# -- named groups -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,lang,context,name,code,country,inter", [
    ("FAMa", "fr", "MLI", "Military Forces of Mali", "MLIMIL", "MLI", 1),
    ("les FAMa", "fr", None, "Military Forces of Mali", "MLIMIL", "MLI", 1),
    ("le JNIM", "fr", "BFA", "JNIM: Group for Support of Islam and Muslims", "IMGSEPAQ", "BFA", 2),
    ("Le Groupe de soutien à l'islam et aux musulmans (JNIM)", "fr", "MLI", "JNIM: Group for Support of Islam and Muslims",
     "IMGSEPAQ", "MLI", 2),
    ("l'EIGS", "fr", "NER", "Islamic State Sahel Province", "IMGSEPISI", "NER", 2),
    ("ISGS fighters", "en", "MLI", "Islamic State Sahel Province", "IMGSEPISI", "MLI", 2),
    ("Fighters from the Islamic State West Africa Province (ISWAP)", "en", "NGA", "Islamic State West Africa Province",
     "IMGSEPISI", "NGA", 2),
    ("la faction Iswap", "fr", "CMR", "Islamic State West Africa Province", "IMGSEPISI", "CMR", 2),
    ("Hayat Tahrir al-Sham (HTS)", "en", "SYR", "HTS: Hayat Tahrir al-Sham", "SYRREB", "SYR", 2),
    ("the Kurdish YPG militia", "en", "SYR", "YPG: People's Protection Units", "SYRREB", "SYR", 2),
    ("Les FSR", "fr", "SDN", "RSF: Rapid Support Forces", "SDNREB", "SDN", 2),
    ("Sudan's paramilitary Rapid Support Forces (RSF)", "en", None, "RSF: Rapid Support Forces", "SDNREB", "SDN", 2),
    ("SAF", "en", "SDN", "Military Forces of Sudan", "SDNMIL", "SDN", 1),
    ("Les rebelles du M23", "fr", "COD", "M23: March 23 Movement", "CODREB", "COD", 2),
    ("Des rebelles ADF", "fr", "UGA", "ADF: Allied Democratic Forces", "IMGSEPISI", "UGA", 2),
    ("Des miliciens de la Codeco", "fr", "COD", "CODECO: Cooperative for Development of Congo", "CODUAF", "COD", 4),
    ("Des combattants des FDLR", "fr", "COD", "FDLR: Democratic Forces for the Liberation of Rwanda", "RWAREB", "COD", 2),
    ("des miliciens wazalendo", "fr", "COD", "Wazalendo", "CODREB", "COD", 3),
    ("Les shebab", "fr", "SOM", "Al Shabaab", "IMGSEPAQ", "SOM", 2),
    ("Suspected al-Shabaab militants", "en", "KEN", "Al Shabaab", "IMGSEPAQ", "KEN", 2),
    ("Ansar al-Sunna", "en", "MOZ", "Islamic State Mozambique Province", "IMGSEPISI", "MOZ", 2),
    ("The Pakistani Taliban (TTP)", "en", "PAK", "TTP: Tehrik-i-Taliban Pakistan", "PAKREB", "PAK", 2),
    ("L'Armée de libération du Baloutchistan (BLA)", "fr", "PAK", "BLA: Balochistan Liberation Army", "PAKSEP", "PAK", 2),
    ("l'Armée d'Arakan (AA)", "fr", "MMR", "AA: Arakan Army", "MMRREB", "MMR", 2),
    ("The People's Defence Force", "en", "MMR", "PDF: People's Defence Force", "MMRREB", "MMR", 2),
    ("the Tatmadaw", "en", "MMR", "Military Forces of Myanmar", "MMRMIL", "MMR", 1),
    ("Les rebelles houthis", "fr", "YEM", "Ansar Allah (Houthi Movement)", "YEMREB", "YEM", 2),
    ("Le Hezbollah", "fr", "LBN", "Hezbollah", "LBNREB", "LBN", 3),
    ("Des combattants du Hamas", "fr", "PSE", "Al Qassam Brigades (Hamas)", "PSEREB", "PSE", 2),
    ("le Jihad islamique", "fr", "PSE", "Al Quds Brigades (Palestinian Islamic Jihad)", "PSEREB", "PSE", 2),
    ("Des Volontaires pour la défense de la patrie (VDP)", "fr", "BFA", "VDP: Volunteers for the Defense of the Homeland",
     "BFAMIL", "BFA", 3),
    ("des chasseurs traditionnels dozos", "fr", "MLI", "Dozo Communal Militia (Mali)", "MLIUAF", "MLI", 4),
    ("des Koglweogo", "fr", "BFA", "Koglweogo Militia", "BFAUAF", "BFA", 4),
    ("Des séparatistes anglophones", "fr", "CMR", "Ambazonian Separatists", "CMRSEP", "CMR", 2),
    ("Members of the Gran Grif gang", "en", "HTI", "Gran Grif Gang", "HTICRM", "HTI", 3),
    ("Des membres de la coalition de gangs Viv Ansanm", "fr", None, "Viv Ansanm", "HTICRM", "HTI", 3),
    ("Le gang 400 Mawozo", "fr", "HTI", "400 Mawozo", "HTICRM", "HTI", 3),
    ("the G9 gang alliance", "en", "HTI", "G9 Family and Allies", "HTICRM", "HTI", 3),
    ("Gunmen believed to belong to the Jalisco New Generation Cartel (CJNG)", "en", "MEX",
     "CJNG: Jalisco New Generation Cartel", "MEXCRM", "MEX", 3),
    ("three alleged members of the Sinaloa cartel", "en", "MEX", "Sinaloa Cartel", "MEXCRM", "MEX", 3),
    ("la guérilla de l'Armée de libération nationale (ELN)", "fr", "COL", "ELN: National Liberation Army", "COLREB", "COL", 2),
    ("des dissidents des FARC", "fr", "COL", "FARC Dissidents", "COLREB", "COL", 2),
    ("Libyan National Army (LNA)", "en", "LBY", "LNA: Libyan National Army", "LBYREB", "LBY", 2),
])
def test_named_groups_en_fr(text, lang, context, name, code, country, inter):
    a = normalise_actor(text, lang, context)
    assert (a.name, a.cameo_code, a.country, a.inter) == (name, code, country, inter)


@pytest.mark.parametrize("text,lang", [("les FDS", "fr"), ("the SDF", "en"), ("Forces démocratiques syriennes", "fr")])
def test_fds_in_syria_is_the_syrian_democratic_forces(text, lang):
    a = normalise_actor(text, lang, "SYR")
    assert (a.name, a.cameo_code, a.country, a.inter) == ("SDF: Syrian Democratic Forces", "SYRREB", "SYR", 2)


@pytest.mark.parametrize("context", ["BFA", "NER", "CIV"])
def test_fds_in_the_sahel_is_the_defence_and_security_forces(context):
    a = normalise_actor("les FDS", "fr", context)
    assert (a.cameo_code, a.country, a.inter) == (context + "MIL", context, 1)
    assert a.name.startswith("Military Forces of ")


def test_fds_follows_a_country_named_in_the_span_before_the_article():
    a = normalise_actor("les FDS burkinabè", "fr", "FRA")
    assert (a.cameo_code, a.country) == ("BFAMIL", "BFA")


def test_rsf_is_sudanese_paramilitaries_in_sudan_and_reporters_elsewhere():
    assert normalise_actor("les RSF", "fr", "SDN").cameo_code == "SDNREB"
    rsf = normalise_actor("RSF", "fr", "FRA")
    assert (rsf.name, rsf.country) == ("RSF: Reporters Without Borders", None)


def test_ambiguous_adf_is_ambazonian_in_cameroon():
    assert normalise_actor("ADF", "en", "CMR").name == "Ambazonian Separatists"
    assert normalise_actor("ADF", "en", "COD").name == "ADF: Allied Democratic Forces"


def test_transnational_group_takes_the_country_of_operation_and_home_groups_stay_home():
    assert normalise_actor("Boko Haram fighters", "en", "CMR").cameo_code == "CMRREB"
    assert normalise_actor("Boko Haram fighters", "en", "NGA").cameo_code == "NGAREB"
    assert normalise_actor("M23 rebels", "en", "RWA").country == "COD"  # outside its area: home country
    assert normalise_actor("the Islamic State", "en", "IRQ").country == "IRQ"
    assert normalise_actor("l'État islamique", "fr", "NGA").name == "Islamic State West Africa Province"


def test_named_state_forces_keep_their_country_abroad_with_inter_8():
    assert _codes("the IDF", "en", "LBN") == ("ISRMIL", "ISR", 8)
    assert _codes("Tsahal", "fr", "ISR") == ("ISRMIL", "ISR", 1)
    assert _codes("Les Gardiens de la révolution", "fr", "IRQ") == ("IRNMIL", "IRN", 8)
    wagner = normalise_actor("les mercenaires russes du groupe Wagner", "fr", "MLI")
    assert (wagner.name, wagner.cameo_code, wagner.inter) == ("Wagner Group", "RUSMIL", 8)


def test_international_bodies_have_no_country_and_peacekeepers_follow_the_mission():
    for text, lang in [("l'ONU", "fr"), ("The United Nations", "en"), ("la Cédéao", "fr"), ("The ICRC", "en")]:
        a = normalise_actor(text, lang, "MLI")
        assert a.country is None and a.inter == 8 and a.cameo_code.startswith(("IGO", "NGO"))
    assert normalise_actor("UN peacekeepers", "en", "MLI").name.startswith("MINUSMA")
    assert normalise_actor("des Casques bleus", "fr", "CAF").name.startswith("MINUSCA")
    assert normalise_actor("une patrouille de la Monusco", "fr", None).name.startswith("MONUSCO")


def test_group_used_as_modifier_is_not_the_actor():
    a = normalise_actor("Forces loyal to Libya's UN-recognised Government of National Accord (GNA)", "en", "LBY")
    assert (a.name, a.cameo_code) == ("Military Forces of Libya (GNA)", "LBYMIL")
    assert normalise_actor("Fighters of the al-Qaeda-linked JNIM", "en", "BFA").name.startswith("JNIM")
    assert normalise_actor("Islamic State-linked insurgents", "en", "MOZ").cameo_code == "IMGSEPISI"


# -- state forces and governments from demonyms, country names, capitals, leaders --------------------
@pytest.mark.parametrize("text,lang,context,expected", [
    ("Malian soldiers", "en", "MLI", ("MLIMIL", "MLI", 1)),
    ("des soldats maliens", "fr", None, ("MLIMIL", "MLI", 1)),
    ("la police kényane", "fr", "KEN", ("KENCOP", "KEN", 1)),
    ("Kenyan police officers", "en", "HTI", ("KENCOP", "KEN", 8)),
    ("Les armées congolaise et ougandaise", "fr", "COD", ("CODMIL", "COD", 1)),
    ("Ugandan troops", "en", "COD", ("UGAMIL", "UGA", 8)),
    ("les soldats tchadiens", "fr", "NER", ("TCDMIL", "TCD", 8)),
    ("Russian forces", "en", "UKR", ("RUSMIL", "RUS", 8)),
    ("l'aviation russe", "fr", "SYR", ("RUSMIL", "RUS", 8)),
    ("Turkish drones", "en", "SYR", ("TURMIL", "TUR", 8)),
    ("Israeli strikes", "en", "LBN", ("ISRMIL", "ISR", 8)),
    ("Syrian government forces", "en", "SYR", ("SYRMIL", "SYR", 1)),
    ("regime artillery", "en", "SYR", ("SYRMIL", "SYR", 1)),
    ("Junta aircraft", "en", "MMR", ("MMRMIL", "MMR", 1)),
    ("la gendarmerie", "fr", "SEN", ("SENMIL", "SEN", 1)),
    ("Les gendarmes burkinabè", "fr", "BFA", ("BFAMIL", "BFA", 1)),
    ("les forces de l'ordre", "fr", "FRA", ("FRACOP", "FRA", 1)),
    ("the riot police", "en", "KEN", ("KENCOP", "KEN", 1)),
    ("le ministre de la Défense", "fr", "MLI", ("MLIGOV", "MLI", 1)),
    ("the interior minister", "en", "KEN", ("KENGOV", "KEN", 1)),
    ("Le ministère de l'Intérieur", "fr", "SEN", ("SENGOV", "SEN", 1)),
    ("les autorités de transition", "fr", "GIN", ("GINGOV", "GIN", 1)),
    ("a military court", "en", "COD", ("CODJUD", "COD", 1)),
    ("Le parquet national antiterroriste", "fr", "FRA", ("FRAJUD", "FRA", 1)),
    ("Les services de renseignement", "fr", "BFA", ("BFASPY", "BFA", 1)),
])
def test_state_agents_from_demonyms_and_context(text, lang, context, expected):
    assert _codes(text, lang, context) == expected


@pytest.mark.parametrize("text,lang,code", [
    ("Israel", "en", "ISRGOV"), ("le Niger", "fr", "NERGOV"), ("Les États-Unis", "fr", "USAGOV"), ("la Corée du Sud", "fr", "KORGOV"),
    ("Moscou", "fr", "RUSGOV"), ("Washington", "en", "USAGOV"), ("Bamako", "fr", "MLIGOV"), ("the Kremlin", "en", "RUSGOV"),
    ("Vladimir Putin", "en", "RUSGOV"), ("President Vladimir Putin", "en", "RUSGOV"), ("Le président Macron", "fr", "FRAGOV"),
    ("Ukraine and Russia", "en", "UKRGOV"),
])
def test_countries_capitals_and_leaders_stand_for_their_government(text, lang, code):
    a = normalise_actor(text, lang, "UKR")
    assert a.cameo_code == code and a.country == code[:3] and a.inter == 1


def test_seats_of_power_name_their_agent():
    assert _codes("The Pentagon", "en", "USA") == ("USAMIL", "USA", 1)
    assert _codes("The Pentagon", "en", "IRQ") == ("USAMIL", "USA", 8)
    assert _codes("la Knesset", "fr", "ISR") == ("ISRLEG", "ISR", 1)


def test_acled_country_names_in_templates():
    assert normalise_actor("La police", "fr", "COD").name == "Police Forces of Democratic Republic of Congo"
    assert normalise_actor("15 civils", "fr", "RUS").name == "Civilians (Russia)"
    assert normalise_actor("19 people", "en", "PSE").name == "Civilians (Palestine)"
    assert normalise_actor("the army", "en", "CIV").name == "Military Forces of Ivory Coast"
    assert acled_country_name("TUR") == "Turkey" and acled_country_name(None) is None


def test_congolese_follows_the_article_between_the_two_congos():
    assert normalise_actor("les soldats congolais", "fr", "COG").country == "COG"
    assert normalise_actor("les soldats congolais", "fr", "COD").country == "COD"
    assert normalise_actor("Congo's foreign ministry", "en", "COD").cameo_code == "CODGOV"


def test_soldiers_in_palestine_are_israeli_and_hong_kong_is_china():
    assert _codes("Soldiers", "en", "PSE") == ("ISRMIL", "ISR", 8)
    assert _codes("Palestinian security forces", "en", "PSE") == ("PSEMIL", "PSE", 1)
    assert _codes("Police", "en", "HKG") == ("CHNCOP", "CHN", 1)


# -- unnamed non-state actors ---------------------------------------------------------------------
@pytest.mark.parametrize("text,lang,context,name,code,inter", [
    ("des hommes armés non identifiés", "fr", "MLI", "Unidentified Armed Group (Mali)", "MLIUAF", 3),
    ("unidentified gunmen", "en", "BFA", "Unidentified Armed Group (Burkina Faso)", "BFAUAF", 3),
    ("des jihadistes présumés", "fr", "MLI", "Unidentified Armed Group (Mali)", "MLIUAF", 3),
    ("suspected militants", "en", "IND", "Unidentified Armed Group (India)", "INDUAF", 3),
    ("des jihadistes", "fr", "BFA", "Islamist Militia (Burkina Faso)", "BFAREB", 2),
    ("Maoist rebels", "en", "IND", "CPI (Maoist): Communist Party of India (Maoist)", "INDREB", 2),
    ("villagers", "en", "NGA", "Civilians (Nigeria)", "NGACVL", 7),
    ("des fidèles", "fr", "BFA", "Civilians (Burkina Faso)", "BFACVL", 7),
    ("worshippers", "en", "NGA", "Civilians (Nigeria)", "NGACVL", 7),
    ("des agriculteurs", "fr", "MLI", "Civilians (Mali)", "MLICVL", 7),
    ("herders", "en", "NGA", "Civilians (Nigeria)", "NGACVL", 7),
    ("des orpailleurs", "fr", "BFA", "Civilians (Burkina Faso)", "BFACVL", 7),
    ("traders", "en", "NGA", "Civilians (Nigeria)", "NGACVL", 7),
    ("une vingtaine d'étudiants", "fr", "CMR", "Students (Cameroon)", "CMREDU", 7),
    ("students", "en", "KEN", "Students (Kenya)", "KENEDU", 7),
    ("deux journalistes", "fr", "MLI", "Journalists (Mali)", "MLIMED", 7),
    ("journalists", "en", "MEX", "Journalists (Mexico)", "MEXMED", 7),
    ("killing three children", "en", "COD", "Civilians (Democratic Republic of Congo)", "CODCVL", 7),
    ("tuant six personnes", "fr", "TCD", "Civilians (Chad)", "TCDCVL", 7),
    ("Protesters", "en", "KEN", "Protesters (Kenya)", "KENOPP", 6),
    ("des dizaines de milliers de manifestants", "fr", "RUS", "Protesters (Russia)", "RUSOPP", 6),
    ("rioters", "en", "SEN", "Rioters (Senegal)", "SEN---", 5),
    ("des émeutiers", "fr", "FRA", "Rioters (France)", "FRA---", 5),
    ("some 2,000 displaced families", "en", "CAF", "Refugees/Displaced (Central African Republic)", "CAFREF", 7),
    ("réfugiés soudanais", "fr", "TCD", "Refugees/Displaced (Chad)", "TCDREF", 7),
    ("gang members", "en", "HTI", "Unidentified Gang (Haiti)", "HTICRM", 3),
    ("des bandits armés", "fr", "NER", "Bandits (Niger)", "NERCRM", 3),
    ("Arab tribal leaders", "en", "SYR", "Tribal Leaders (Syria)", "SYRELI", 8),
])
def test_unnamed_actors_en_fr(text, lang, context, name, code, inter):
    a = normalise_actor(text, lang, context)
    assert (a.name, a.cameo_code, a.country, a.inter) == (name, code, context, inter)


def test_nationality_of_civilians_comes_from_the_span():
    assert _codes("trois otages israéliennes", "fr", "PSE") == ("ISRCVL", "ISR", 7)
    assert _codes("Palestinians", "en", "ISR") == ("PSECVL", "PSE", 7)
    assert _codes("Des dizaines de milliers d'Algériens", "fr", "DZA") == ("DZACVL", "DZA", 7)


def test_communities_give_ethnic_groups_and_militias():
    a = normalise_actor("deux bergers peuls", "fr", "MLI")
    assert (a.name, a.cameo_code, a.inter) == ("Fulani Ethnic Group (Mali)", "MLICVL", 7)
    b = normalise_actor("Fulani militiamen", "en", "NGA")
    assert (b.name, b.cameo_code, b.inter) == ("Fulani Ethnic Militia (Nigeria)", "NGAUAF", 4)
    assert normalise_actor("Druze gunmen", "en", "SYR").name == "Druze Ethnic Militia (Syria)"
    assert normalise_actor("des chrétiens", "fr", "NER").name == "Christian Group (Niger)"


def test_unnamed_insurgents_read_as_the_one_group_of_their_country():
    assert normalise_actor("the insurgents", "en", "SOM").name == "Al Shabaab"
    assert normalise_actor("Un kamikaze", "fr", "SOM").cameo_code == "IMGSEPAQ"
    assert normalise_actor("les insurgés", "fr", "MOZ").name == "Islamic State Mozambique Province"
    assert normalise_actor("Les séparatistes", "fr", "CMR").name == "Ambazonian Separatists"
    assert normalise_actor("the rebels", "en", "MLI").name == "Rebel Group (Mali)"  # several candidates: none guessed


def test_head_of_the_phrase_decides_the_agent():
    assert normalise_actor("cinq personnes, dont trois soldats", "fr", "PAK").cameo_code == "PAKMIL"
    assert normalise_actor("members of the police", "en", "IND").cameo_code == "INDCOP"
    assert normalise_actor("Des responsables de la junte", "fr", "MMR").cameo_code == "MMRMIL"  # Myanmar's junta
    assert normalise_actor("Des hommes en civil se présentant comme des agents de renseignement", "fr", "BFA").cameo_code == "BFASPY"
    assert normalise_actor("a general and four soldiers", "en", "SYR").cameo_code == "SYRMIL"


def test_given_names_are_not_countries():
    a = normalise_actor("Opposition leader Maurice Kamto", "en", "CMR")
    assert (a.name, a.country) == ("Opposition (Cameroon)", "CMR")


def test_ngos_have_a_country_only_when_the_span_names_one():
    assert normalise_actor("Human rights groups", "en", "COL").country is None
    assert normalise_actor("Israeli human rights groups", "en", "ISR").cameo_code == "ISRNGO"


def test_unknown_spans_keep_their_words_and_the_article_country():
    a = normalise_actor("the group", "en", "MLI")
    assert (a.name, a.cameo_code, a.country, a.inter) == ("group", None, "MLI", None)
    assert normalise_actor("", "fr", None).cameo_code is None


# -- helpers ------------------------------------------------------------------------------------------
def test_clean_span_only_strips_whole_determiners():
    assert clean_span("Arab tribal leaders") == "Arab tribal leaders"
    assert clean_span("l'armée") == "armée"
    assert clean_span("the MNDAA") == "MNDAA"
    assert clean_span("Azerbaijan") == "Azerbaijan"


def test_fold_keeps_offsets():
    text = "Forces démocratiques syriennes – l’EI"
    assert len(fold(text)) == len(text)
    assert fold(text) == "forces democratiques syriennes - l'ei"


def test_find_group_uses_countries_for_ambiguous_acronyms():
    assert find_group("les FDS", ("NER",)).name == "Military Forces of {c}"
    assert find_group("les FDS", ("SYR",)).name == "SDF: Syrian Democratic Forces"
    assert find_group("les FDS", ()) is None
    assert find_group("nothing here") is None


def test_country_mentions_read_capitals_regions_and_demonyms():
    assert country_mentions("Des soldats maliens ont quitté Bamako pour Kidal") == ["MLI", "MLI", "MLI"]
    assert country_mentions("Fighting near Goma, in North Kivu, said Washington") == ["COD", "COD", "USA"]
    assert country_mentions("Vladimir Putin spoke") == []


@pytest.mark.parametrize(
    ("sentence", "end", "expected"),
    [
        ("an ambush by jihadists the Islamic State (IS) organization.", 22, "Islamic State"),
        ("des hommes armés du JNIM ont tué", 16, "JNIM"),
        ("gunmen attacked the village", 6, None),
    ],
)
def test_group_in_apposition_after_a_generic_actor(sentence, end, expected):
    from coder.normalise.actors import group_after

    found = group_after(sentence, end)
    assert (sentence[found[0] : found[1]] if found else None) == expected
