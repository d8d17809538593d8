#!/usr/bin/env python3
"""The measurements behind two choices in docs/i18n.md: no language detection, and Spanish search for Catalan.

    python bench/i18n_choices.py

1. Offline language detection on 30 short support texts (10 each in en, es, ca), restricted to
   the three languages gitdesk writes. The detectors are not gitdesk dependencies: install them
   in a scratch environment to measure (`pip install langdetect simplemma`); a missing one is named.
2. For a Catalan desk's search: how many of 46 common Catalan function words each lunr stop-word
   list Material ships holds (read from mkdocs-material's own files), and how many of 24 Catalan
   word pairs each Snowball stemmer joins (`pip install snowballstemmer`, again outside gitdesk).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

SAMPLES = [
    ("es", "La impresora se atasca"),
    ("es", "No puedo entrar en el correo"),
    ("es", "La VPN se corta cada diez minutos"),
    ("es", "Hola, el portátil no arranca desde esta mañana. ¿Pueden ayudarme?"),
    ("es", "Necesito acceso a la carpeta compartida de contabilidad"),
    ("es", "El proyector de la sala 2 no funciona"),
    ("es", "no está resuelto, sigue fallando"),
    ("es", "Contraseña caducada"),
    ("es", "Buenos días, la factura del mes pasado tiene un error en el importe."),
    ("es", "No me llega el código de verificación al móvil"),
    ("ca", "La impressora s'encalla"),
    ("ca", "No puc entrar al correu"),
    ("ca", "La VPN es talla cada deu minuts"),
    ("ca", "Bon dia, l'ordinador portàtil no arrenca des d'aquest matí. Em podeu ajudar?"),
    ("ca", "Necessito accés a la carpeta compartida de comptabilitat"),
    ("ca", "El projector de la sala 2 no funciona"),
    ("ca", "no està resolt, continua fallant"),
    ("ca", "Contrasenya caducada"),
    ("ca", "Bon dia, la factura del mes passat té un error en l'import."),
    ("ca", "No em arriba el codi de verificació al mòbil"),
    ("en", "The printer jams"),
    ("en", "I cannot log in to my email"),
    ("en", "VPN drops every ten minutes"),
    ("en", "Hi, my laptop won't boot since this morning. Can you help?"),
    ("en", "I need access to the accounting shared folder"),
    ("en", "The projector in room 2 is not working"),
    ("en", "Password expired"),
    ("en", "Invoice from last month has the wrong amount"),
    ("en", "Verification code never arrives on my phone"),
    ("en", "Outlook keeps asking for my password"),
]
LANGUAGES = ("en", "es", "ca")
CATALAN_FUNCTION_WORDS = (
    "de la el i a que en les els amb per un una es no al del dels als com més però o si hi ha ho ser "
    "són està seu seva seus seves li ens us ja molt tot també quan on això aquest aquesta"
).split()
CATALAN_FAMILIES = [
    ["impressora", "impressores"],
    ["connexió", "connexions"],
    ["contrasenya", "contrasenyes"],
    ["actualització", "actualitzacions", "actualitzar"],
    ["configuració", "configurar"],
    ["xarxa", "xarxes"],
    ["portàtil", "portàtils"],
    ["servidor", "servidors"],
    ["correu", "correus"],
    ["usuari", "usuaris", "usuària"],
    ["carpeta", "carpetes"],
    ["fitxer", "fitxers"],
    ["pantalla", "pantalles"],
    ["bateria", "bateries"],
    ["llicència", "llicències"],
    ["instal·lació", "instal·lar", "instal·lacions"],
    ["error", "errors"],
    ["desconnecta", "desconnectar", "desconnexió"],
    ["accés", "accessos"],
    ["reinici", "reiniciar"],
]


def _score(name: str, detect) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    wrong = [(want, got, text) for want, text in SAMPLES if (got := detect(text)) != want]
    took = time.perf_counter() - start
    print(f"  {name}: {len(SAMPLES) - len(wrong)}/{len(SAMPLES)} right, {took:.2f} s (first call loads its data)")
    for want, got, text in wrong:
        print(f"      {want} read as {got}: {text}")


def detectors() -> None:
    print("1. Language detection on 30 short support texts, restricted to en/es/ca")
    try:
        import os

        import langdetect.detector_factory as factory_module
        from langdetect.detector_factory import DetectorFactory
        from langdetect.lang_detect_exception import LangDetectException

        factory = DetectorFactory()
        factory.seed = 0
        profiles = Path(os.path.dirname(factory_module.__file__)) / "profiles"
        factory.load_json_profile([(profiles / code).read_text(encoding="utf-8") for code in LANGUAGES])

        def langdetect_three(text: str) -> str | None:
            detector = factory.create()
            detector.append(text)
            try:
                found = detector.get_probabilities()
            except LangDetectException:
                return None
            return found[0].lang if found and found[0].prob > 0.8 else None

        _score("langdetect (3 profiles, seed 0)", langdetect_three)
    except ImportError:
        print("  langdetect: not installed (pip install langdetect)")
    try:
        import simplemma

        def simplemma_three(text: str) -> str | None:
            found = simplemma.langdetect(text, lang=LANGUAGES)
            return found[0][0] if found and found[0][0] != "unk" else None

        _score("simplemma", simplemma_three)
    except ImportError:
        print("  simplemma: not installed (pip install simplemma)")


def search() -> None:
    print("2. A Catalan desk's search")
    import material

    lunr = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "lunr" / "min"
    for code in ("es", "it", "fr", "pt"):
        source = (lunr / f"lunr.{code}.min.js").read_text(encoding="utf-8")
        match = re.search(r'generateStopWordFilter\("([^"]+)"\.split\(" "\)\)', source)
        stop = set(match.group(1).split()) if match else set()
        held = [w for w in CATALAN_FUNCTION_WORDS if w in stop]
        print(f"  lunr.{code} stop words: {len(held)} of {len(CATALAN_FUNCTION_WORDS)} Catalan function words")
    try:
        import snowballstemmer
    except ImportError:
        print("  snowballstemmer: not installed (pip install snowballstemmer)")
        return
    pairs = sum(len(family) - 1 for family in CATALAN_FAMILIES)
    for algorithm in ("spanish", "portuguese", "french", "english", "italian", "catalan"):
        if algorithm not in snowballstemmer.algorithms():
            continue
        stem = snowballstemmer.stemmer(algorithm)
        joined = sum(len(family) - len(set(stem.stemWords(family))) for family in CATALAN_FAMILIES)
        print(f"  Snowball {algorithm}: joins {joined} of {pairs} Catalan word pairs")


if __name__ == "__main__":
    detectors()
    search()
