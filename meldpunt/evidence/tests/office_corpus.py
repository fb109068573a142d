"""Office documents with planted metadata in every place the cleaner must empty.

Made by hand with zipfile (no office library needed): each builder returns the
parts of a small DOCX, XLSX, PPTX, ODT, ODS or ODP, and ``package`` zips them.
Every planted value contains "PLANTED" or one of corpus.TEXT_MARKERS, and
``PLACES`` names which marker sits where, so the tests can say which place
leaked. ``VISIBLE`` is the text a reader sees (tracked changes accepted).
"""

import zipfile

from meldpunt.evidence.tests import corpus

AUTHOR = corpus.AUTHOR
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OOXML = "application/vnd.openxmlformats-officedocument."
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DATE = "2021-05-01T10:00:00Z"
# marker -> where it is planted (for the test's failure messages)
PLACES = {
    "PLANTED-CREATOR": "docProps/core.xml dc:creator / meta.xml initial-creator",
    "PLANTED-LASTMODIFIEDBY": "docProps/core.xml cp:lastModifiedBy / meta.xml dc:creator",
    "PLANTED-COMPANY": "docProps/app.xml Company / meta.xml user-defined",
    "PLANTED-MANAGER": "docProps/app.xml Manager",
    "PLANTED-TEMPLATE": "docProps/app.xml Template, remote template relationship",
    "PLANTED-CUSTOMPROP": "docProps/custom.xml",
    "PLANTED-COMMENT-TEXT": "comments part / office:annotation",
    "PLANTED-COMMENT-AUTHOR": "comment author, people/persons part, commentAuthors",
    "PLANTED-DELETED-TEXT": "tracked deletion",
    "PLANTED-CHANGE-AUTHOR": "tracked change author",
    "PLANTED-CUSTOMXML": "customXml/item1.xml",
    "PLANTED-PRINTER": "printer settings",
    "PLANTED-MACRO": "vbaProject.bin / Basic/",
    "PLANTED-PIXEL": "external (linked) picture",
    "PLANTED-DOCVAR": "w:docVars",
    "PLANTED-SHARE": "external workbook link",
    "PLANTED-USERPATH": "x15ac:absPath",
    "PLANTED-DSN": "data connection",
    "PLANTED-TAG": "presentation tags",
    "PLANTED-SIGNER": "document signature",
    "PLANTED-GENERATOR": "meta:generator / app.xml Application",
    "C0FFEE01": "rsid attributes and w:rsids",
    "PLANTED-UNREACHED": "a part no relationship leads to",
    "PLANTED-VML-NOTE": "VML box of a cell note",
    "PLANTED-SMARTTAG": "smart tag properties",
}
VISIBLE = {
    "docx": "Er wordt gedeald bij de snackbar. Kenteken AB-12-CD. Zie https://example.org/bewijs",
    "docm": "Er wordt gedeald bij de snackbar. Kenteken AB-12-CD. Zie https://example.org/bewijs",
    "xlsx": "Datum Bedrag Ontvanger 2024-01-05 15000 Stichting X Verborgen blad",
    "pptx": "Invloed op raadsleden Betalingen via stichting",
    "odt": "Er wordt gedeald bij de snackbar. Kenteken AB-12-CD.",
    "ods": "Datum Bedrag 15000",
    "odp": "Invloed op raadsleden",
}
EXTERNAL_HYPERLINK = "https://example.org/bewijs"


def package(parts: dict[str, bytes | str], *, stored: bool = False) -> bytes:
    """A ZIP of the parts, in order, with a 2021 timestamp on each member."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2021, 5, 1, 10, 0, 0))
            plain = name == "mimetype" or stored
            info.compress_type = zipfile.ZIP_STORED if plain else zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def _xml(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body


def _vba_relationship(macros: bool) -> list[tuple[str, str, str]]:
    """The relationship to a macro project, in a document that has one."""
    if not macros:
        return []
    return [
        (
            "rIdVba",
            "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
            "vbaProject.bin",
        )
    ]


def _rels(*relationships: tuple[str, str, str] | tuple[str, str, str, str]) -> str:
    items = []
    for relationship in relationships:
        rid, kind, target = relationship[:3]
        mode = f' TargetMode="{relationship[3]}"' if len(relationship) == 4 else ""
        kind = kind if kind.startswith("http") else RT + kind
        items.append(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>')
    return _xml(f'<Relationships xmlns="{RELS}">{"".join(items)}</Relationships>')


def _content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "bin": "application/vnd.ms-office.vbaProject",
        **(defaults or {}),
    }
    items = [f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults.items()]
    items += [
        f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides.items()
    ]
    return _xml(f'<Types xmlns="{CT}">{"".join(items)}</Types>')


def _doc_props() -> dict[str, str | bytes]:
    core = _xml(
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>PLANTED-CREATOR {AUTHOR}</dc:creator>"
        "<cp:lastModifiedBy>PLANTED-LASTMODIFIEDBY</cp:lastModifiedBy>"
        "<cp:revision>42</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{DATE}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{DATE}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = _xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Template>PLANTED-TEMPLATE.dotm</Template><TotalTime>4711</TotalTime>'
        "<Application>PLANTED-GENERATOR</Application><Manager>PLANTED-MANAGER</Manager>"
        "<Company>PLANTED-COMPANY</Company></Properties>"
    )
    custom = _xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        'name="Dossier"><vt:lpwstr>PLANTED-CUSTOMPROP</vt:lpwstr></property></Properties>'
    )
    return {
        "docProps/core.xml": core,
        "docProps/app.xml": app,
        "docProps/custom.xml": custom,
        "docProps/thumbnail.jpeg": corpus.jpeg(),
    }


_DOC_PROPS_TYPES = {
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": f"{OOXML}extended-properties+xml",
    "docProps/custom.xml": f"{OOXML}custom-properties+xml",
}
_DOC_PROPS_RELS = (
    ("rIdCore", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
     "core-properties", "docProps/core.xml"),
    ("rIdApp", "extended-properties", "docProps/app.xml"),
    ("rIdCustom", "custom-properties", "docProps/custom.xml"),
    ("rIdThumb", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
     "thumbnail", "docProps/thumbnail.jpeg"),
)  # fmt: skip
_CUSTOM_XML = {
    "customXml/item1.xml": _xml("<dossier><owner>PLANTED-CUSTOMXML</owner></dossier>"),
    "customXml/itemProps1.xml": _xml(
        '<ds:datastoreItem ds:itemID="{11111111-2222-3333-4444-555555555555}" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>'
    ),
    "customXml/_rels/item1.xml.rels": _rels(("rId1", "customXmlProps", "itemProps1.xml")),
}
_UNREACHED = _xml("<note>PLANTED-UNREACHED left over from an earlier save</note>")


def docx(*, macros: bool = False) -> bytes:
    main_type = (
        "application/vnd.ms-word.document.macroEnabled.main+xml"
        if macros
        else f"{OOXML}wordprocessingml.document.main+xml"
    )
    document = _xml(
        f'<w:document xmlns:w="{W}" xmlns:r="{R}" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" mc:Ignorable="w14">'
        "<w:body>"
        '<w:p w:rsidR="C0FFEE01" w:rsidRDefault="C0FFEE01" w14:paraId="1A2B3C4D">'
        '<w:commentRangeStart w:id="0"/>'
        '<w:r w:rsidR="C0FFEE01"><w:rPr><w:b/>'
        f'<w:rPrChange w:id="5" w:author="PLANTED-CHANGE-AUTHOR" w:date="{DATE}"><w:rPr/>'
        "</w:rPrChange></w:rPr><w:t>Er wordt gedeald bij de snackbar.</w:t></w:r>"
        '<w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r>'
        f'<w:del w:id="1" w:author="PLANTED-CHANGE-AUTHOR {AUTHOR}" w:date="{DATE}">'
        '<w:r><w:delText xml:space="preserve"> PLANTED-DELETED-TEXT</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="PLANTED-CHANGE-AUTHOR" w:date="{DATE}">'
        '<w:r><w:t xml:space="preserve"> Kenteken AB-12-CD.</w:t></w:r></w:ins>'
        "</w:p>"
        '<w:p><w:smartTag w:uri="urn:schemas" w:element="place"><w:smartTagPr>'
        '<w:attr w:name="owner" w:val="PLANTED-SMARTTAG"/></w:smartTagPr>'
        '<w:r><w:t xml:space="preserve">Zie </w:t></w:r></w:smartTag>'
        '<w:hyperlink r:id="rIdLink"><w:r><w:t>https://example.org/bewijs</w:t></w:r></w:hyperlink>'
        '<w:r><w:drawing><a:blip r:embed="rIdImage" r:link="rIdPixel"/></w:drawing></w:r>'
        "</w:p>"
        '<w:sectPr w:rsidR="C0FFEE01"/></w:body></w:document>'
    )
    comments = _xml(
        f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="PLANTED-COMMENT-AUTHOR '
        f'{AUTHOR}" w:initials="MJ" w:date="{DATE}"><w:p><w:r><w:t>PLANTED-COMMENT-TEXT</w:t>'
        "</w:r></w:p></w:comment></w:comments>"
    )
    people = _xml(
        '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        '<w15:person w15:author="PLANTED-COMMENT-AUTHOR"><w15:presenceInfo '
        'w15:providerId="AD" w15:userId="S::marloes@example.org::PLANTED"/></w15:person>'
        "</w15:people>"
    )
    settings = _xml(
        f'<w:settings xmlns:w="{W}" xmlns:r="{R}" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
        'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
        '<w:attachedTemplate r:id="rIdTemplate"/>'
        '<w:docVars><w:docVar w:name="case" w:val="PLANTED-DOCVAR"/></w:docVars>'
        '<w:rsids><w:rsidRoot w:val="C0FFEE01"/><w:rsid w:val="C0FFEE01"/></w:rsids>'
        '<w14:docId w14:val="C0FFEE01"/>'
        '<w15:docId w15:val="{C0FFEE01-0000-0000-0000-000000000000}"/>'
        "</w:settings>"
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _content_types(
            {
                "word/document.xml": main_type,
                "word/comments.xml": f"{OOXML}wordprocessingml.comments+xml",
                "word/people.xml": "application/vnd.ms-word.people+xml",
                "word/settings.xml": f"{OOXML}wordprocessingml.settings+xml",
                "word/printerSettings/printerSettings1.bin": (
                    f"{OOXML}wordprocessingml.printerSettings"
                ),
                "customXml/itemProps1.xml": f"{OOXML}customXmlProperties+xml",
                "word/leftover.xml": f"{OOXML}wordprocessingml.comments+xml",
                **_DOC_PROPS_TYPES,
            }
        ),
        "_rels/.rels": _rels(("rIdDoc", "officeDocument", "word/document.xml"), *_DOC_PROPS_RELS),
        "word/document.xml": document,
        "word/_rels/document.xml.rels": _rels(
            ("rIdComments", "comments", "comments.xml"),
            (
                "rIdPeople",
                "http://schemas.microsoft.com/office/2011/relationships/people",
                "people.xml",
            ),
            ("rIdSettings", "settings", "settings.xml"),
            ("rIdImage", "image", "media/image1.jpeg"),
            ("rIdPixel", "image", "http://tracker.example/PLANTED-PIXEL.png", "External"),
            ("rIdLink", "hyperlink", EXTERNAL_HYPERLINK, "External"),
            ("rIdPrinter", "printerSettings", "printerSettings/printerSettings1.bin"),
            ("rIdCustom", "customXml", "../customXml/item1.xml"),
            *_vba_relationship(macros),
        ),  # fmt: skip
        "word/_rels/settings.xml.rels": _rels(
            (
                "rIdTemplate",
                "attachedTemplate",
                "file:///C:/Users/Marloes/PLANTED-TEMPLATE.dotm",
                "External",
            ),
        ),  # fmt: skip
        "word/comments.xml": comments,
        "word/people.xml": people,
        "word/settings.xml": settings,
        "word/media/image1.jpeg": corpus.jpeg(),
        "word/printerSettings/printerSettings1.bin": b"\x00PLANTED-PRINTER\\\\print01\x00",
        "word/leftover.xml": _UNREACHED,
        **_CUSTOM_XML,
        **_doc_props(),
    }
    if macros:
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0PLANTED-MACRO Sub AutoOpen()"
    return package(parts)


def docm() -> bytes:
    return docx(macros=True)


S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(rows: list[list[str]], *, extra: str = "") -> str:
    cells = "".join(
        f'<row r="{number}">'
        + "".join(
            f'<c r="{chr(65 + column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in enumerate(row)
        )
        + "</row>"
        for number, row in enumerate(rows, start=1)
    )
    return _xml(
        f'<worksheet xmlns="{S}" xmlns:r="{R}" '
        'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
        'xr:uid="{C0FFEE01-1111-2222-3333-444444444444}">'
        f"<sheetData>{cells}</sheetData>{extra}</worksheet>"
    )


def xlsx(*, macros: bool = False) -> bytes:
    main_type = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if macros
        else f"{OOXML}spreadsheetml.sheet.main+xml"
    )
    workbook = _xml(
        f'<workbook xmlns="{S}" xmlns:r="{R}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" '
        'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
        'mc:Ignorable="x15ac xr">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="PLANTED-GENERATOR"/>'
        '<fileSharing userName="PLANTED-LASTMODIFIEDBY"/>'
        '<mc:AlternateContent><mc:Choice Requires="x15"><x15ac:absPath '
        'url="C:\\Users\\PLANTED-USERPATH\\Documents\\"/></mc:Choice></mc:AlternateContent>'
        '<xr:revisionPtr revIDLastSave="0" documentId="8_{C0FFEE01}"/>'
        '<sheets><sheet name="Betalingen" sheetId="1" r:id="rIdSheet1"/>'
        '<sheet name="Verborgen" sheetId="2" state="hidden" r:id="rIdSheet2"/></sheets>'
        '<externalReferences><externalReference r:id="rIdExternal"/></externalReferences>'
        "</workbook>"
    )
    comments = _xml(
        f'<comments xmlns="{S}"><authors><author>PLANTED-COMMENT-AUTHOR {AUTHOR}</author>'
        '</authors><commentList><comment ref="B2" authorId="0"><text><t>PLANTED-COMMENT-TEXT'
        "</t></text></comment></commentList></comments>"
    )
    vml = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:'
        'office:excel"><v:shape><v:textbox><div>PLANTED-VML-NOTE</div></v:textbox>'
        '<x:ClientData ObjectType="Note"/></v:shape></xml>'
    )
    external = _xml(
        f'<externalLink xmlns="{S}" xmlns:r="{R}"><externalBook r:id="rId1"/></externalLink>'
    )
    connections = _xml(
        f'<connections xmlns="{S}"><connection id="1" name="db"><dbPr '
        'connection="DSN=PLANTED-DSN;UID=marloes"/></connection></connections>'
    )
    persons = _xml(
        '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        '<person displayName="PLANTED-COMMENT-AUTHOR" id="{1}" userId="marloes"/></personList>'
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _content_types(
            {
                "xl/workbook.xml": main_type,
                "xl/worksheets/sheet1.xml": f"{OOXML}spreadsheetml.worksheet+xml",
                "xl/worksheets/sheet2.xml": f"{OOXML}spreadsheetml.worksheet+xml",
                "xl/comments1.xml": f"{OOXML}spreadsheetml.comments+xml",
                "xl/externalLinks/externalLink1.xml": f"{OOXML}spreadsheetml.externalLink+xml",
                "xl/connections.xml": f"{OOXML}spreadsheetml.connections+xml",
                "xl/persons/person.xml": "application/vnd.ms-excel.person+xml",
                "xl/printerSettings/printerSettings1.bin": (
                    f"{OOXML}spreadsheetml.printerSettings"
                ),
                "customXml/itemProps1.xml": f"{OOXML}customXmlProperties+xml",
                **_DOC_PROPS_TYPES,
            },
            {"vml": f"{OOXML}vmlDrawing"},
        ),
        "_rels/.rels": _rels(("rIdDoc", "officeDocument", "xl/workbook.xml"), *_DOC_PROPS_RELS),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": _rels(
            ("rIdSheet1", "worksheet", "worksheets/sheet1.xml"),
            ("rIdSheet2", "worksheet", "worksheets/sheet2.xml"),
            ("rIdExternal", "externalLink", "externalLinks/externalLink1.xml"),
            ("rIdConnections", "connections", "connections.xml"),
            (
                "rIdPersons",
                "http://schemas.microsoft.com/office/2017/10/relationships/person",
                "persons/person.xml",
            ),
            ("rIdCustom", "customXml", "../customXml/item1.xml"),
            *_vba_relationship(macros),
        ),  # fmt: skip
        "xl/worksheets/sheet1.xml": _sheet(
            [["Datum", "Bedrag", "Ontvanger"], ["2024-01-05", "15000", "Stichting X"]],
            extra='<legacyDrawing r:id="rIdVml"/>',
        ),
        "xl/worksheets/_rels/sheet1.xml.rels": _rels(
            ("rIdComments", "comments", "../comments1.xml"),
            ("rIdVml", "vmlDrawing", "../drawings/vmlDrawing1.vml"),
            ("rIdPrinter", "printerSettings", "../printerSettings/printerSettings1.bin"),
        ),
        "xl/worksheets/sheet2.xml": _sheet([["Verborgen blad"]]),
        "xl/comments1.xml": comments,
        "xl/drawings/vmlDrawing1.vml": vml,
        "xl/externalLinks/externalLink1.xml": external,
        "xl/externalLinks/_rels/externalLink1.xml.rels": _rels(
            (
                "rId1",
                "externalLinkPath",
                "file:///\\\\server\\PLANTED-SHARE\\boek.xlsx",
                "External",
            ),
        ),
        "xl/connections.xml": connections,
        "xl/persons/person.xml": persons,
        "xl/printerSettings/printerSettings1.bin": b"\x00PLANTED-PRINTER\x00",
        **_CUSTOM_XML,
        **_doc_props(),
    }
    if macros:
        parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0PLANTED-MACRO Sub Auto_Open()"
    return package(parts)


P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def pptx() -> bytes:
    presentation = _xml(
        f'<p:presentation xmlns:p="{P}" xmlns:r="{R}"><p:sldIdLst>'
        '<p:sldId id="256" r:id="rIdSlide1"/></p:sldIdLst>'
        '<p:custDataLst><p:tags r:id="rIdTags"/></p:custDataLst></p:presentation>'
    )
    slide = _xml(
        f'<p:sld xmlns:p="{P}" xmlns:a="{A}" xmlns:r="{R}"><p:cSld><p:spTree>'
        "<p:sp><p:txBody><a:p><a:r><a:t>Invloed op raadsleden</a:t></a:r></a:p>"
        "<a:p><a:r><a:t>Betalingen via stichting</a:t></a:r></a:p></p:txBody></p:sp>"
        '<p:pic><p:blipFill><a:blip r:embed="rIdImage"/></p:blipFill></p:pic>'
        "</p:spTree></p:cSld></p:sld>"
    )
    authors = _xml(
        f'<p:cmAuthorLst xmlns:p="{P}"><p:cmAuthor id="0" name="PLANTED-COMMENT-AUTHOR '
        f'{AUTHOR}" initials="MJ" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    )
    comments = _xml(
        f'<p:cmLst xmlns:p="{P}"><p:cm authorId="0" dt="{DATE}" idx="1"><p:pos x="10" y="10"/>'
        "<p:text>PLANTED-COMMENT-TEXT</p:text></p:cm></p:cmLst>"
    )
    tags = _xml(f'<p:tagLst xmlns:p="{P}"><p:tag name="CASE" val="PLANTED-TAG"/></p:tagLst>')
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _content_types(
            {
                "ppt/presentation.xml": f"{OOXML}presentationml.presentation.main+xml",
                "ppt/slides/slide1.xml": f"{OOXML}presentationml.slide+xml",
                "ppt/commentAuthors.xml": f"{OOXML}presentationml.commentAuthors+xml",
                "ppt/comments/comment1.xml": f"{OOXML}presentationml.comments+xml",
                "ppt/tags/tag1.xml": f"{OOXML}presentationml.tags+xml",
                "ppt/printerSettings/printerSettings1.bin": (
                    f"{OOXML}presentationml.printerSettings"
                ),
                **_DOC_PROPS_TYPES,
            }
        ),
        "_rels/.rels": _rels(
            ("rIdDoc", "officeDocument", "ppt/presentation.xml"), *_DOC_PROPS_RELS
        ),
        "ppt/presentation.xml": presentation,
        "ppt/_rels/presentation.xml.rels": _rels(
            ("rIdSlide1", "slide", "slides/slide1.xml"),
            ("rIdAuthors", "commentAuthors", "commentAuthors.xml"),
            ("rIdTags", "tags", "tags/tag1.xml"),
            ("rIdPrinter", "printerSettings", "printerSettings/printerSettings1.bin"),
        ),
        "ppt/slides/slide1.xml": slide,
        "ppt/slides/_rels/slide1.xml.rels": _rels(
            ("rIdComments", "comments", "../comments/comment1.xml"),
            ("rIdImage", "image", "../media/image1.png"),
        ),
        "ppt/commentAuthors.xml": authors,
        "ppt/comments/comment1.xml": comments,
        "ppt/tags/tag1.xml": tags,
        "ppt/media/image1.png": corpus.png(),
        "ppt/printerSettings/printerSettings1.bin": b"\x00PLANTED-PRINTER\x00",
        **_doc_props(),
    }
    return package(parts)


# --- OpenDocument ------------------------------------------------------------------

_ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xlink="http://www.w3.org/1999/xlink"'
)
_ANNOTATION = (
    f"<office:annotation><dc:creator>PLANTED-COMMENT-AUTHOR {AUTHOR}</dc:creator>"
    f"<dc:date>{DATE}</dc:date><text:p>PLANTED-COMMENT-TEXT</text:p></office:annotation>"
)
_PICTURES = (
    '<draw:frame><draw:image xlink:href="Pictures/photo.jpg"/></draw:frame>'
    '<draw:frame><draw:image xlink:href="http://tracker.example/PLANTED-PIXEL.png"/></draw:frame>'
)
_ODF_BODIES = {
    "odt": (
        '<office:text><text:tracked-changes><text:changed-region text:id="ct1">'
        "<text:deletion><office:change-info>"
        f"<dc:creator>PLANTED-CHANGE-AUTHOR</dc:creator><dc:date>{DATE}</dc:date>"
        "</office:change-info><text:p>PLANTED-DELETED-TEXT</text:p></text:deletion>"
        '</text:changed-region><text:changed-region text:id="ct2"><text:insertion>'
        "<office:change-info><dc:creator>PLANTED-CHANGE-AUTHOR</dc:creator></office:change-info>"
        "</text:insertion></text:changed-region></text:tracked-changes>"
        f'<text:p>Er wordt gedeald bij de snackbar.{_ANNOTATION}<text:change text:change-id="ct1"/>'
        '<text:change-start text:change-id="ct2"/> Kenteken AB-12-CD.'
        '<text:change-end text:change-id="ct2"/></text:p>'
        f"<text:p>{_PICTURES}</text:p>"
        '<text:section text:name="linked"><text:section-source '
        'xlink:href="file:///C:/Users/Marloes/PLANTED-TEMPLATE.odt"/></text:section>'
        "</office:text>"
    ),
    "ods": (
        '<office:spreadsheet><table:tracked-changes><table:cell-content-change table:id="c1">'
        f"<office:change-info><dc:creator>PLANTED-CHANGE-AUTHOR</dc:creator></office:change-info>"
        "<table:previous><table:change-track-table-cell><text:p>PLANTED-DELETED-TEXT</text:p>"
        "</table:change-track-table-cell></table:previous></table:cell-content-change>"
        "</table:tracked-changes>"
        '<table:table table:name="Blad1"><table:table-row>'
        "<table:table-cell><text:p>Datum</text:p></table:table-cell>"
        f"<table:table-cell><text:p>Bedrag</text:p>{_ANNOTATION}</table:table-cell>"
        "<table:table-cell><text:p>15000</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        '<table:table table:name="Extern"><table:table-source '
        'xlink:href="file:///server/PLANTED-SHARE/boek.ods"/></table:table>'
        "</office:spreadsheet>"
    ),
    "odp": (
        '<office:presentation><draw:page draw:name="1"><draw:frame><draw:text-box>'
        f"<text:p>Invloed op raadsleden</text:p></draw:text-box></draw:frame>{_ANNOTATION}"
        f"{_PICTURES}</draw:page></office:presentation>"
    ),
}
ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def odf(kind: str, *, encrypted: bool = False) -> bytes:
    media_type = ODF_TYPES[kind]
    content = _xml(
        f'<office:document-content {_ODF_NAMESPACES} office:version="1.3">'
        "<office:scripts><office:event-listeners><script:event-listener "
        'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.PLANTED-MACRO"/>'
        "</office:event-listeners></office:scripts>"
        f"<office:body>{_ODF_BODIES[kind]}</office:body></office:document-content>"
    )
    meta = _xml(
        f'<office:document-meta {_ODF_NAMESPACES} office:version="1.3"><office:meta>'
        "<meta:generator>PLANTED-GENERATOR</meta:generator>"
        f"<meta:initial-creator>PLANTED-CREATOR {AUTHOR}</meta:initial-creator>"
        "<dc:creator>PLANTED-LASTMODIFIEDBY</dc:creator>"
        f"<meta:creation-date>{DATE}</meta:creation-date>"
        "<meta:editing-duration>PT4H</meta:editing-duration><meta:editing-cycles>42"
        '</meta:editing-cycles><meta:user-defined meta:name="Company">PLANTED-COMPANY'
        "</meta:user-defined></office:meta></office:document-meta>"
    )
    settings = _xml(
        f"<office:document-settings {_ODF_NAMESPACES}><office:settings>"
        '<config:config-item-set config:name="ooo:configuration-settings">'
        '<config:config-item config:name="PrinterName" config:type="string">PLANTED-PRINTER'
        "</config:config-item></config:config-item-set></office:settings>"
        "</office:document-settings>"
    )
    styles = _xml(f"<office:document-styles {_ODF_NAMESPACES}/>")
    encryption = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AA==">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
        'manifest:initialisation-vector="AA=="/></manifest:encryption-data>'
        if encrypted
        else ""
    )
    entries = [
        ("/", media_type),
        ("content.xml", "text/xml"),
        ("styles.xml", "text/xml"),
        ("meta.xml", "text/xml"),
        ("settings.xml", "text/xml"),
        ("Pictures/photo.jpg", "image/jpeg"),
        ("Thumbnails/thumbnail.png", "image/png"),
        ("Basic/Standard/Module1.xml", "text/xml"),
        ("META-INF/documentsignatures.xml", "text/xml"),
    ]
    manifest = _xml(
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{kind}">'
            + (encryption if path == "content.xml" else "")
            + "</manifest:file-entry>"
            for path, kind in entries
        )
        + "</manifest:manifest>"
    )
    return package(
        {
            "mimetype": media_type,
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
            "styles.xml": styles,
            "meta.xml": meta,
            "settings.xml": settings,
            "Pictures/photo.jpg": corpus.jpeg(),
            "Thumbnails/thumbnail.png": corpus.png(),
            "Basic/Standard/Module1.xml": _xml("<module>PLANTED-MACRO Sub Main</module>"),
            "META-INF/documentsignatures.xml": _xml(
                "<document-signatures><X509SubjectName>CN=PLANTED-SIGNER</X509SubjectName>"
                "</document-signatures>"
            ),
            "Configurations2/accelerator/current.xml": _UNREACHED,
        }
    )


def odt() -> bytes:
    return odf("odt")


def ods() -> bytes:
    return odf("ods")


def odp() -> bytes:
    return odf("odp")


def encrypted_ooxml() -> bytes:
    """What Office writes for a password-protected DOCX: an OLE file with EncryptionInfo."""
    directory = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") + b"\0" * 64
        for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage")
    )
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 512


def empty_odt() -> bytes:
    """An OpenDocument text with nothing in it: no text to preview."""
    media_type = ODF_TYPES["odt"]
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        "<office:body><office:text/></office:body></office:document-content>"
    )
    return package(
        {"mimetype": media_type, "META-INF/manifest.xml": manifest, "content.xml": content}
    )


BUILDERS = {
    "docx": docx,
    "docm": docm,
    "xlsx": xlsx,
    "pptx": pptx,
    "odt": odt,
    "ods": ods,
    "odp": odp,
}
