"""Which pictures and videos a page shows or links, resolved as a browser would."""

import os
import random

from meldpunt.hotline.htmlmedia import page_media_extract, srcset_urls

PAGE = "https://pics.example.test/gallery/page.html?id=7"


def urls(body: bytes, *, page: str = PAGE, limit: int = 100, declared_type: str = "") -> list[str]:
    media = page_media_extract(body=body, page_url=page, limit=limit, declared_type=declared_type)
    return [address.url for address in media.addresses]


def test_every_kind_of_reference_is_found_in_document_order():
    body = b"""<!doctype html><html><head>
    <meta property="og:image" content="/og.jpg">
    <meta name="twitter:image" content="https://cdn.example.test/tw.png">
    <meta property="og:video:secure_url" content="https://cdn.example.test/og.mp4">
    <link rel="image_src" href="linked.gif"><link rel="stylesheet" href="style.css">
    </head><body>
    <img src="a.jpg" srcset="a-2x.jpg 2x, a-3x.jpg 3x">
    <img data-src="lazy.jpg" data-srcset="lazy-600.jpg 600w">
    <picture><source srcset="p.webp 1x, p-2x.webp 2x" type="image/webp"><img src="p.jpg"></picture>
    <video src="clip.webm" poster="poster.jpg"><source src="clip.mp4" type="video/mp4"></video>
    <audio><source src="song.mp3"></audio>
    <a href="big/photo.JPEG?size=full">photo</a> <a href="next.html">next</a>
    <a href="//other.example.test/film.mov">film</a>
    </body></html>"""
    assert urls(body) == [
        "https://pics.example.test/og.jpg",
        "https://cdn.example.test/tw.png",
        "https://cdn.example.test/og.mp4",
        "https://pics.example.test/gallery/linked.gif",
        "https://pics.example.test/gallery/a.jpg",
        "https://pics.example.test/gallery/a-2x.jpg",
        "https://pics.example.test/gallery/a-3x.jpg",
        "https://pics.example.test/gallery/lazy.jpg",
        "https://pics.example.test/gallery/lazy-600.jpg",
        "https://pics.example.test/gallery/p.webp",
        "https://pics.example.test/gallery/p-2x.webp",
        "https://pics.example.test/gallery/p.jpg",
        "https://pics.example.test/gallery/clip.webm",
        "https://pics.example.test/gallery/poster.jpg",
        "https://pics.example.test/gallery/clip.mp4",
        "https://pics.example.test/gallery/big/photo.JPEG?size=full",
        "https://other.example.test/film.mov",
    ]


def test_the_first_base_href_decides_where_relative_addresses_point():
    body = b'<img src="x.jpg"><base href="/media/"><base href="/ignored/"><img src="y.jpg">'
    assert urls(body) == [
        "https://pics.example.test/media/x.jpg",
        "https://pics.example.test/media/y.jpg",
    ]
    # A base that is no usable address is ignored, as by a browser.
    assert urls(b'<base href="javascript:x"><img src="z.jpg">') == [
        "https://pics.example.test/gallery/z.jpg"
    ]


def test_duplicates_the_page_itself_and_unfetchable_addresses_are_left_out():
    body = b"""<img src="a.jpg"><img src="./a.jpg#top"><img src=" a.jpg ">
    <img src="data:image/png;base64,iVBORw0KGgo="><img src="javascript:alert(1)">
    <img src="blob:https://pics.example.test/1"><img src="ftp://pics.example.test/x.jpg">
    <img src="http://localhost/x.jpg"><img src="http://intranet/x.jpg"><img src="">
    <a href="page.html?id=7">self</a><img src="page.html?id=7">"""
    assert urls(body) == ["https://pics.example.test/gallery/a.jpg"]


def test_srcset_is_split_as_browsers_split_it():
    assert srcset_urls("a.jpg 1x, b.jpg 2x") == ["a.jpg", "b.jpg"]
    # Commas inside an address stay; a comma right after one ends the candidate.
    assert srcset_urls("img,v=1.jpg 1x,c.jpg, d.jpg 3x") == ["img,v=1.jpg", "c.jpg", "d.jpg"]
    assert srcset_urls("c.jpg,d.jpg 2x") == ["c.jpg,d.jpg"]
    assert srcset_urls(" e.jpg (min-width: 1px, max 2), f.jpg 2w ") == ["e.jpg", "f.jpg"]
    assert srcset_urls("") == [] and srcset_urls(" , ,") == []


def test_only_the_limit_is_resolved_and_the_rest_is_counted():
    body = b"".join(b'<img src="/i/%d.jpg">' % (n % 3000) for n in range(5000))
    media = page_media_extract(body=body, page_url=PAGE, limit=50)
    assert [a.url for a in media.addresses][:2] == [
        "https://pics.example.test/i/0.jpg",
        "https://pics.example.test/i/1.jpg",
    ]
    assert (len(media.addresses), media.more) == (50, 2950)


def test_the_page_s_encoding_is_respected():
    body = '<meta charset="windows-1252"><img src="caf\xe9.jpg">'.encode("cp1252")
    assert urls(body) == ["https://pics.example.test/gallery/caf%C3%A9.jpg"]
    declared = '<img src="\u0161.jpg">'.encode("iso-8859-2")
    assert urls(declared, declared_type="text/html; charset=iso-8859-2") == [
        "https://pics.example.test/gallery/%C5%A1.jpg"
    ]
    bom = "\ufeff<img src='x\u00e9.png'>".encode("utf-16")
    assert urls(bom) == ["https://pics.example.test/gallery/x%C3%A9.png"]
    # An unknown charset falls back to UTF-8 instead of failing.
    assert urls(b'<meta charset="x-nonsense"><img src="ok.jpg">') == [
        "https://pics.example.test/gallery/ok.jpg"
    ]


def test_garbage_and_broken_markup_never_fail():
    noise = os.urandom(200_000)
    assert isinstance(urls(noise), list)
    # "<![" that is no CDATA: Python 3.12's parser raises; browsers read a bogus comment.
    marked = b'<img src="a.jpg"><![ \x04garbage <b>]><img src="b.jpg"><![x'
    assert urls(marked) == [
        "https://pics.example.test/gallery/a.jpg",
        "https://pics.example.test/gallery/b.jpg",
    ]
    for seed in range(20):
        assert isinstance(urls(random.Random(seed).randbytes(50_000).replace(b"<", b"<![")), list)
    broken = b'<img src="a.jpg"<picture><source srcset="b.jpg"</video></picture><img src=c.jpg'
    assert "https://pics.example.test/gallery/a.jpg" in urls(broken)
    assert urls(b"<video><source src='v.mp4'></video><source src='loose.mp4'>") == [
        "https://pics.example.test/gallery/v.mp4"
    ]
