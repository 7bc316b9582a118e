"""Train the logo finder, judge and verifier (see scanner/detectors/logo/learned.py) on composed pictures,
export them to ONNX, and record the recipe with the models' SHA-256.

Reproducible: every picture comes from seeded generators (one per data-loader worker), torch is
seeded, and the command line is recorded. CPU only; bounded by a step count.

    python -m tools.logo.train --only finder --steps 1200 --threads 1 --workers 0
    python -m tools.logo.train --only judge --judge-steps 1000 --threads 1 --workers 1
    python -m tools.logo.train --only verifier --verifier-steps 1000 --threads 1 --workers 1

The judge and the verifier are trained partly on where the finder in --out fires (Miner), so the
finder comes first.

Needs the `train` extra (torch, onnx). The training pictures are made on the fly and never
stored; `--preview DIR` writes a few of them as PNG to look at.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from scanner.detectors.logo import learned
from tools.logo import artwork, compose

TILE = 128  # finder training tile (pixels)
SCENE = (480, 200)  # judge and verifier training scene, from which windows are cut (24 x 5 flag heights at most)
NETWORKS = ("finder", "judge", "verifier")  # the index seeds each network's pictures
NETWORK_FILE = dict(zip(NETWORKS, (learned.FINDER_FILE, learned.JUDGE_FILE, learned.VERIFIER_FILE), strict=True))
ROLE_CLASS = {
    artwork.SYMBOL: 1,
    artwork.NATIONAL_FLAG: 1,
    artwork.SIGNATURE: 2,
    artwork.WORDMARK: 3,
}


# --- networks -----------------------------------------------------------------------------


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def _separable(cin: int, cout: int, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, 1, dilation, dilation=dilation, groups=cin, bias=False),
        nn.BatchNorm2d(cin),
        nn.ReLU(inplace=True),
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Finder(nn.Module):
    """Stride 4, receptive field ~130 px: sees a 30 px symbol with some of what is around it."""

    def __init__(self, width: int = 24) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _conv(3, 12, 2),
            _conv(12, 24, 2),
            _separable(24, width),
            _separable(width, width, 2),
            _separable(width, width, 4),
            _separable(width, width, 8),
            _separable(width, width, 1),
        )
        self.head = nn.Conv2d(width, learned.FINDER_CHANNELS, 1)
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            self.head.bias[0] = -4.0  # start from "no symbol anywhere"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _window_trunk() -> list[nn.Module]:
    """The first layers of the verifier and the judge: three halvings, 3 -> 48 channels."""
    return [_conv(3, 16, 2), _conv(16, 24, 1), _conv(24, 32, 2), _conv(32, 32, 1), _conv(32, 48, 2)]


class Verifier(nn.Module):
    """36 x 60 window of one symbol -> the logit that it is the flag symbol. Keeps where things are
    (bars either side, the leaf between) by flattening a 5 x 8 map, not pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(*_window_trunk())  # 5 x 8
        with torch.no_grad():
            cells = self.body(torch.zeros(1, 3, learned.SYMBOL_SIZE[1], learned.SYMBOL_SIZE[0])).numel()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(cells, 64), nn.ReLU(inplace=True), nn.Linear(64, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


class Judge(nn.Module):
    """40 x 192 window -> class logits and the artwork's two ends; keeps where things are
    (text right of the symbol or a word under it) by flattening a 3 x 12 map, not pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(*_window_trunk(), _conv(48, 48, 2))  # 5 x 24, then 3 x 12
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(48 * 3 * 12, 96),
            nn.ReLU(inplace=True),
            nn.Linear(96, len(learned.JUDGE_CLASSES) + 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


# --- data ---------------------------------------------------------------------------------


class Banks:
    def __init__(self, seed: int, photos: list[Path], quick: bool = False) -> None:
        """`quick`: three departments and two pages, for the end-to-end test of the recipe."""
        rng = np.random.default_rng(seed)
        self.positives = artwork.positives(rng, artwork.DEPARTMENTS[:3] if quick else artwork.DEPARTMENTS)
        self.decoys = artwork.decoys(rng)
        self.sources = compose.Sources(compose.load_photos(photos), compose.text_pages(rng, 2 if quick else 24))

    def positive(self, rng: np.random.Generator) -> artwork.Artwork:
        # The official artwork and the wordmarks are few: draw them as often as departments.
        pick = rng.random()
        wordmarks = [a for a in self.positives if a.role == artwork.WORDMARK]
        singles = [a for a in self.positives if a.role in (artwork.SYMBOL, artwork.NATIONAL_FLAG)]
        if pick < 0.3:
            return wordmarks[int(rng.integers(len(wordmarks)))]
        if pick < 0.45:
            return singles[int(rng.integers(len(singles)))]
        signatures = [a for a in self.positives if a.role == artwork.SIGNATURE]
        return signatures[int(rng.integers(len(signatures)))]

    def decoy(self, rng: np.random.Generator) -> artwork.Artwork:
        return self.decoys[int(rng.integers(len(self.decoys)))]


def _pose(rng: np.random.Generator) -> tuple[float, float]:
    angle = float(np.clip(rng.normal(0, 10), -25, 25))
    tilt = float(rng.uniform(0, 0.4)) if rng.random() < 0.4 else 0.0
    return angle, tilt


def finder_sample(rng: np.random.Generator, banks: Banks) -> tuple[np.ndarray, np.ndarray]:
    """A tile and its target: C x H/4 x W/4 (heat, log height, angle, dx, dy, weight)."""
    tile, _ = banks.sources.background(rng, TILE, TILE)
    placed = []
    for _ in range(int(rng.choice([0, 1, 2], p=[0.2, 0.6, 0.2]))):
        height = float(np.exp(rng.uniform(np.log(learned.MIN_FLAG - 0.5), np.log(learned.MAX_FLAG + 2))))
        centre = rng.uniform(-0.05 * TILE, 1.05 * TILE, 2)
        placed.append(compose.place(rng, tile, banks.positive(rng), height, tuple(centre), *_pose(rng)))
    for _ in range(int(rng.choice([0, 1, 2], p=[0.45, 0.4, 0.15]))):
        height = float(np.exp(rng.uniform(np.log(4), np.log(40))))
        compose.place(rng, tile, banks.decoy(rng), height, tuple(rng.uniform(0, TILE, 2)), *_pose(rng))
    tile = compose.degrade(rng, tile)
    return tile, finder_target(placed)


def finder_target(placed: list[compose.Placed]) -> np.ndarray:
    cells = TILE // learned.STRIDE
    target = np.zeros((6, cells, cells), np.float32)
    yy, xx = np.mgrid[0:cells, 0:cells].astype(np.float32)
    for p in placed:
        if p.quad is None:
            continue
        cx, cy = p.centre / learned.STRIDE
        i, j = int(np.floor(cy)), int(np.floor(cx))
        if not (0 <= i < cells and 0 <= j < cells):
            continue
        sigma = max(0.6, 0.15 * p.flag_height / learned.STRIDE)
        blob = np.exp(-((xx - cx + 0.5) ** 2 + (yy - cy + 0.5) ** 2) / (2 * sigma**2))
        blob[i, j] = 1.0
        target[0] = np.maximum(target[0], blob)
        target[1:5, i, j] = (np.log(p.flag_height / learned.HEIGHT_REF), p.angle, cx - j, cy - i)
        target[5, i, j] = 1.0
    return target


def judge_sample(rng: np.random.Generator, banks: Banks) -> tuple[np.ndarray, int, np.ndarray]:
    """A window around a symbol (or a decoy, or nothing), its class and the artwork's ends."""
    width, height = SCENE
    scene, _ = banks.sources.background(rng, width, height)
    flag_h = float(np.exp(rng.uniform(np.log(6), np.log(16))))
    centre = (float(rng.uniform(0.45, 0.6) * width), float(rng.uniform(0.3, 0.6) * height))
    pick = rng.random()
    if pick < 0.2:  # another piece nearby, so that neighbours are not taken for titles
        other = banks.decoy(rng) if rng.random() < 0.7 else banks.positive(rng)
        compose.place(rng, scene, other, flag_h * rng.uniform(0.5, 2), tuple(rng.uniform(0, 1, 2) * SCENE), *_pose(rng))
    label, extent = 0, np.zeros(2, np.float32)
    if pick < 0.45:
        art = banks.positive(rng)
        placed = compose.place(rng, scene, art, flag_h, centre, *_pose(rng))
        label = ROLE_CLASS[art.role]
        at, size, angle = placed.centre, placed.flag_height, placed.angle
        x0, _, x1, _ = placed.box
        extent = np.float32([x0 - at[0], x1 - at[0]]) / size / learned.EXTENT_SCALE
        if rng.random() < 0.1:  # a window beside the symbol, not on it: nothing there
            label, extent = 0, np.zeros(2, np.float32)
            at = at + rng.choice([-1, 1]) * rng.uniform(1.5, 5) * size * np.float32([np.cos(angle), np.sin(angle)])
    elif pick < 0.75:
        decoy = banks.decoy(rng)
        placed = compose.place(rng, scene, decoy, flag_h, centre, *_pose(rng))
        x0, y0, x1, y1 = placed.box
        at, size, angle = placed.centre, max(4.0, (y1 - y0) * rng.uniform(0.4, 1.0)), 0.0
        if rng.random() < 0.5:  # on the emblem or a part of the words, not just the middle
            at = np.float32([rng.uniform(x0, x1), rng.uniform(y0, y1)])
    else:
        at, size, angle = np.float32(centre), flag_h, 0.0
    scene = compose.degrade(rng, scene)
    # What the finder hands over is slightly off: jitter the centre, size and angle.
    size_seen = size * float(np.exp(rng.uniform(-0.25, 0.25)))
    at_seen = np.float32(at) + rng.normal(0, 0.12 * size, 2)
    angle_seen = angle + float(rng.normal(0, 0.05))
    crop = learned.context_crop(scene, (float(at_seen[0]), float(at_seen[1])), size_seen, angle_seen)
    return crop, label, extent


def verifier_sample(rng: np.random.Generator, banks: Banks) -> tuple[np.ndarray, int]:
    """A symbol's window at about the pose the finder and the shape fit give it (1), or a window on
    a decoy's emblem or words, or on the background (0)."""
    width, height = SCENE
    scene, _ = banks.sources.background(rng, width, height)
    flag_h = float(np.exp(rng.uniform(np.log(6), np.log(90))))
    centre = (float(rng.uniform(0.3, 0.7) * width), float(rng.uniform(0.3, 0.7) * height))
    pick = rng.random()
    if pick < 0.2:  # another piece nearby: a symbol's neighbours are not the symbol
        other = banks.decoy(rng) if rng.random() < 0.7 else banks.positive(rng)
        compose.place(rng, scene, other, flag_h * rng.uniform(0.5, 2), tuple(rng.uniform(0, 1, 2) * SCENE), *_pose(rng))
    if pick < 0.5:
        placed = compose.place(rng, scene, banks.positive(rng), flag_h, centre, *_pose(rng))
        at, size, angle, label = placed.centre, placed.flag_height, placed.angle, 1
    elif pick < 0.85:
        placed = compose.place(rng, scene, banks.decoy(rng), flag_h, centre, *_pose(rng))
        x0, y0, x1, y1 = placed.box
        at, size, angle, label = placed.centre, max(4.0, (y1 - y0) * rng.uniform(0.3, 1.0)), 0.0, 0
        if rng.random() < 0.5:  # on the emblem or a part of the words, not just the middle
            at = np.float32([rng.uniform(x0, x1), rng.uniform(y0, y1)])
    else:
        at, size, angle, label = np.float32(centre), flag_h, 0.0, 0
    scene = compose.degrade(rng, scene)
    # What the shape fit hands over is off, most for large symbols in perspective, found on a
    # coarse level: jitter the centre, size and angle.
    seen = learned.Proposal(
        tuple(map(float, np.float32(at) + rng.normal(0, 0.12 * size, 2))),
        size * float(np.exp(rng.uniform(-0.25, 0.25))),
        angle + float(rng.normal(0, 0.08)),
        1.0,
        0,
    )
    return learned.symbol_window(learned.pyramid(scene), seen), label


class Miner:
    """The trained finder, run on composed scenes as the detector runs it (the pose refined by the
    shape fit), so that the judge and the verifier also learn from where the finder really fires:
    text, emblems and stripes it takes for a symbol (hard negatives), and real symbols at the pose
    the detector gives them."""

    SHARE = 0.35  # of the judge's and the verifier's windows
    THRESHOLD = 0.15  # a little below the detector's FIND_THRESHOLD (0.2): weaker finds are taught too

    def __init__(self, finder: Path, largest: float) -> None:
        """`largest`: flag height (pixels) of the largest symbol placed: the judge's window must hold
        its neighbourhood, 24 flag heights across; the verifier's only the symbol."""
        self.net = cv2.dnn.readNetFromONNX(str(finder))
        self.largest = largest

    def proposal(
        self, rng: np.random.Generator, banks: Banks
    ) -> tuple[list[tuple[np.ndarray, float]], learned.Proposal, int, np.ndarray] | None:
        """A composed scene's pyramid, one of the finder's proposals on it fitted as the detector
        fits it, and the class and ends of the artwork it lies on (see _truth_at)."""
        width, height = SCENE
        scene, _ = banks.sources.background(rng, width, height)
        placed = []
        for _ in range(int(rng.integers(1, 4))):
            positive = rng.random() < 0.3
            art = banks.positive(rng) if positive else banks.decoy(rng)
            flag_h = float(np.exp(rng.uniform(np.log(6), np.log(self.largest))))
            flag_h *= 1.0 if positive else float(rng.uniform(0.5, 2.5))
            placed.append(compose.place(rng, scene, art, flag_h, tuple(rng.uniform(0, 1, 2) * SCENE), *_pose(rng)))
        scene = compose.degrade(rng, scene)
        levels = learned.pyramid(scene)
        gray = cv2.cvtColor(scene, cv2.COLOR_RGB2GRAY)
        found = learned.find_symbols(self.net, levels, self.THRESHOLD)[:24]
        rng.shuffle(found)
        for proposal in found:
            fitted = proposal.fitted(scene, gray)
            truth = _truth_at(fitted, placed)
            if truth is not None:
                return levels, fitted, *truth
        return None


def _truth_at(proposal: learned.Proposal, placed: list[compose.Placed]) -> tuple[int, np.ndarray] | None:
    """The class and ends of the artwork whose symbol a proposal lies on (centre within half its
    height, size within 40 %), none if it is on no symbol, None if it is half on one (ambiguous)."""
    for p in placed:
        if p.quad is None or p.flag_height <= 0:
            continue
        distance = float(np.hypot(*(np.float32(proposal.centre) - p.centre)))
        if distance >= 1.5 * p.flag_height:
            continue
        if distance >= 0.5 * p.flag_height or abs(np.log(proposal.height / p.flag_height)) >= np.log(1.4):
            return None
        x0, _, x1, _ = p.box
        centre_x = float(proposal.centre[0])
        extent = np.float32([x0 - centre_x, x1 - centre_x]) / proposal.height / learned.EXTENT_SCALE
        return ROLE_CLASS[p.role], extent
    return 0, np.zeros(2, np.float32)


class Stream(IterableDataset):
    """Endless pictures for one of the two networks; each worker has its own seeded generator."""

    def __init__(
        self, which: str, seed: int, photos: list[Path], quick: bool = False, mine_with: Path | None = None
    ) -> None:
        self.which, self.seed, self.photos, self.quick, self.mine_with = which, seed, photos, quick, mine_with

    def __iter__(self):
        info = get_worker_info()
        worker = info.id if info is not None else 0
        rng = np.random.default_rng([self.seed, worker, NETWORKS.index(self.which)])
        torch.set_num_threads(1)
        cv2.setNumThreads(1)
        banks = Banks(self.seed, self.photos, self.quick)
        largest = 60.0 if self.which == "verifier" else 16.0
        miner = Miner(self.mine_with, largest) if self.mine_with is not None else None
        while True:
            if self.which == "finder":
                tile, target = finder_sample(rng, banks)
                yield learned.to_blob([tile])[0], target
                continue
            mined = miner.proposal(rng, banks) if miner is not None and rng.random() < Miner.SHARE else None
            if self.which == "verifier":
                if mined is not None:
                    levels, proposal, label, _ = mined
                    crop, label = learned.symbol_window(levels, proposal), int(label > 0)
                else:
                    crop, label = verifier_sample(rng, banks)
                yield learned.to_blob([crop])[0], np.float32(label)
                continue
            if mined is not None:
                levels, proposal, label, extent = mined
                crop = learned.judge_window(levels, proposal)
            else:
                crop, label, extent = judge_sample(rng, banks)
            yield learned.to_blob([crop])[0], label, extent


# --- losses and loops ---------------------------------------------------------------------


def finder_loss(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on the heat map, L1 on the regressions at centres."""
    heat = torch.sigmoid(out[:, 0]).clamp(1e-4, 1 - 1e-4)
    gt = target[:, 0]
    peak = (gt >= 1.0).float()
    positive = -((1 - heat) ** 2) * torch.log(heat) * peak
    negative = -((1 - gt) ** 4) * heat**2 * torch.log(1 - heat) * (1 - peak)
    count = peak.sum().clamp(min=1.0)
    weight = target[:, 5:6]
    regression = (torch.abs(out[:, 1:5] - target[:, 1:5]) * weight).sum() / count
    return (positive.sum() + negative.sum()) / count + regression


def judge_loss(out: torch.Tensor, label: torch.Tensor, extent: torch.Tensor) -> torch.Tensor:
    classes = len(learned.JUDGE_CLASSES)
    ce = nn.functional.cross_entropy(out[:, :classes], label)
    has = (label > 0).float()[:, None]
    l1 = (torch.abs(out[:, classes:] - extent) * has).sum() / has.sum().clamp(min=1.0)
    return ce + l1


def train(
    which: str,
    steps: int,
    batch: int,
    seed: int,
    workers: int,
    photos: list[Path],
    log: list[str],
    out: Path,
    quick: bool = False,
    mine_with: Path | None = None,
) -> nn.Module:
    """Train one network; its ONNX file is rewritten every 250 steps, so a run cut short
    still leaves a usable model."""
    torch.manual_seed(seed)
    model: nn.Module = {"finder": Finder, "judge": Judge, "verifier": Verifier}[which]()
    data = DataLoader(Stream(which, seed, photos, quick, mine_with), batch_size=batch, num_workers=workers)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=steps, pct_start=0.1)
    model.train()
    started, running = time.time(), 0.0
    for step, items in enumerate(data, start=1):
        if which == "finder":
            x, target = items
            loss = finder_loss(model(x), target)
        elif which == "verifier":
            x, label = items
            loss = nn.functional.binary_cross_entropy_with_logits(model(x)[:, 0], label)
        else:
            x, label, extent = items
            loss = judge_loss(model(x), label, extent)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % 100 == 0 or step == steps:
            line = f"{which} step {step}/{steps} loss {running:.4f} {time.time() - started:.0f}s"
            print(line, flush=True)
            log.append(line)
        if step % 250 == 0 and step < steps:
            export(model.eval(), which, out)
            model.train()
        if step >= steps:
            break
    return model.eval()


def export(model: nn.Module, which: str, path: Path) -> None:
    if which == "finder":
        example = torch.zeros(1, 3, 96, 128)
        axes = {"image": {0: "n", 2: "h", 3: "w"}, "out": {0: "n", 2: "h", 3: "w"}}
    else:
        width, height = learned.CROP_SIZE if which == "judge" else learned.SYMBOL_SIZE
        example = torch.zeros(1, 3, height, width)
        axes = {"image": {0: "n"}, "out": {0: "n"}}
    torch.onnx.export(
        model,
        example,
        str(path),
        input_names=["image"],
        output_names=["out"],
        dynamic_axes=axes,
        opset_version=13,
        dynamo=False,
    )


def preview(folder: Path, seed: int, photos: list[Path], count: int = 8) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    banks = Banks(seed, photos)
    for k in range(count):
        tile, target = finder_sample(rng, banks)
        heat = cv2.resize((target[0] * 255).astype(np.uint8), (TILE, TILE), interpolation=cv2.INTER_NEAREST)
        crop, label, _ = judge_sample(rng, banks)
        symbol, is_symbol = verifier_sample(rng, banks)
        cv2.imwrite(
            str(folder / f"finder_{k}.png"), np.hstack([tile, cv2.cvtColor(heat, cv2.COLOR_GRAY2RGB)])[..., ::-1]
        )
        cv2.imwrite(str(folder / f"judge_{k}_{learned.JUDGE_CLASSES[label]}.png"), crop[..., ::-1])
        cv2.imwrite(str(folder / f"verifier_{k}_{'symbol' if is_symbol else 'not'}.png"), symbol[..., ::-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=learned.MODEL_DIR)
    parser.add_argument("--steps", type=int, default=1200, help="finder training steps")
    parser.add_argument("--judge-steps", type=int, default=1000)
    parser.add_argument("--verifier-steps", type=int, default=1000)
    parser.add_argument("--only", choices=NETWORKS, help="train one network, keep the others' files")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="data-loader processes making pictures")
    parser.add_argument("--preview", type=Path, help="write a few training pictures here and stop")
    parser.add_argument("--max-photos", type=int, help="use only the first N training photos (quick runs)")
    parser.add_argument("--quick", action="store_true", help="few departments and pages: to test the recipe")
    parser.add_argument(
        "--no-mining", action="store_true", help="train the judge and verifier without the finder's own finds"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    photos = compose.photo_files(compose.TRAIN_PHOTOS)[: args.max_photos]
    if not photos and args.max_photos != 0:
        parser.error(compose.missing_photos(compose.TRAIN_PHOTOS))
    if args.preview:
        preview(args.preview, args.seed, photos)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    recipe_path = args.out / learned.RECIPE_FILE
    command = "python -m tools.logo.train " + " ".join(sys.argv[1:] if argv is None else argv)
    # The finder first: the judge and the verifier are trained on where it fires (Miner).
    plan = (("finder", args.steps), ("judge", args.judge_steps), ("verifier", args.verifier_steps))
    for which, steps in plan:
        if args.only not in (None, which):
            continue
        log: list[str] = []
        started = time.time()
        name = NETWORK_FILE[which]
        finder = args.out / learned.FINDER_FILE
        mine_with = finder if which != "finder" and not args.no_mining else None
        if mine_with is not None and not finder.is_file():
            parser.error(f"the {which} learns from the finder's finds: train the finder into {args.out} first")
        model = train(
            which, steps, args.batch, args.seed, args.workers, photos, log, args.out / name, args.quick, mine_with
        )
        export(model, which, args.out / name)
        # Read just before writing: the networks may be trained at once, by separate processes.
        recipe = json.loads(recipe_path.read_text()) if recipe_path.is_file() else {"networks": {}, "sha256": {}}
        recipe["networks"][which] = {
            "command": command,
            "steps": steps,
            "batch": args.batch,
            "seed": args.seed,
            "threads": args.threads,
            "workers": args.workers,
            "seconds": round(time.time() - started),
            "torch": torch.__version__,
            "training_photos": len(photos),
            "log_tail": log[-4:],
        }
        if mine_with is not None:
            recipe["networks"][which]["mined_with_finder"] = learned.model_sha256(mine_with)
        recipe["sha256"][name] = learned.model_sha256(args.out / name)
        recipe_path.write_text(json.dumps(recipe, indent=2) + "\n")
        print(json.dumps(recipe["networks"][which], indent=2), recipe["sha256"][name])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
