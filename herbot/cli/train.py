"""Train the Rasa model, only when the bot's sources, the reviews' names or Rasa itself changed.

herbot's bot is trained from a project assembled in ``$HERBOT_HOME/bot``: the repository's
``bot/domain`` and ``bot/data`` as they are, plus the files made from the loaded reviews
(herbot/cli/bot_data.py), so that a review added, removed or renamed retrains the bot. Rasa runs
as a child process (``python -m rasa train``) in ``$HERBOT_HOME`` with its cache there too,
so nothing it writes lands in the repository. Its full output goes to
``$HERBOT_HOME/logs/train.log``; the terminal gets a condensed view.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from herbot.cli import bot_data, processes
from herbot.settings import BOT_DIR, LIBRARY_ENVIRONMENT, Settings
from knowledge.checksums import file_sha256
from knowledge.model_export import ensure_exported, exported_identity

MODEL_NAME = "herbot"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_COMPONENT = re.compile(r"Starting to train component '([^']+)'")
_EPOCHS = re.compile(r"^Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)(?:.*i_acc=([\d.]+))?")
_EXCEPTION = re.compile(r"^[A-Za-z_.]*(?:Error|Exception)\b.*:")


class TrainingError(Exception):
    """Training cannot start or Rasa failed; the message is one line for the user."""


@dataclass(frozen=True)
class TrainResult:
    model: Path
    trained: bool
    seconds: float


@dataclass(frozen=True)
class BotSources:
    """Where the Rasa project's inputs live (the repository's ``bot/`` by default).

    ``examples``: the templates of the examples that name reviews (``bot/reviewer_examples.yml``).
    A bot with them is trained from a project assembled with the loaded reviews
    (:func:`project`); one without (a bare ``rasa init`` bot) is trained as it is.
    """

    domain: Path
    config: Path
    data: Path
    examples: Path | None = None

    @classmethod
    def at(cls, bot_dir: Path = BOT_DIR) -> BotSources:
        folder, examples = bot_dir / "domain", bot_dir / bot_data.EXAMPLES
        return cls(domain=folder if folder.is_dir() else bot_dir / "domain.yml",
                   config=bot_dir / "config.yml", data=bot_dir / "data",
                   examples=examples if examples.is_file() else None)

    def files(self) -> list[Path]:
        """Every input file, in a stable order; missing ones are a :class:`TrainingError`."""
        for path in (self.domain, self.config, self.data):
            if not path.exists():
                raise TrainingError(f"{_shown(path)} is missing; the Rasa project needs it to train")
        found = [self.config, *custom_component_files(self.config), *([self.examples] if self.examples else [])]
        for root in (self.domain, self.data):
            found += _files_in(root)
        return found


@dataclass(frozen=True)
class Project:
    """What Rasa trains from: the domain and data (every file's bytes by its place) and the config."""

    domain: Path
    data: Path
    config: Path
    contents: dict[Path, bytes]
    root: Path | None = None  # where herbot assembles it ($HERBOT_HOME/bot); None: the sources, trained as they are

    def names(self) -> dict[Path, str]:
        """Each file's name in the fingerprint: ``bot/…`` for an assembled project, as in the repository."""
        if self.root is None:
            return {path: _shown(path) for path in self.contents}
        return {path: f"bot/{path.relative_to(self.root).as_posix()}" for path in self.contents}

    def write(self) -> None:
        """Put the assembled files in place: only those that changed, and nothing left over."""
        if self.root is None:
            return
        for folder in (self.domain, self.data):
            for path in _files_in(folder) if folder.is_dir() else []:
                if path not in self.contents:
                    path.unlink()
        for path, content in self.contents.items():
            if path.is_file() and path.read_bytes() == content:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            scratch.write_bytes(content)
            os.replace(scratch, path)  # a training that runs meanwhile never reads half a file


def project(settings: Settings, sources: BotSources) -> Project:
    """The project to train: the sources, or for herbot's bot their copy with the files made from
    the reviews in ``settings.reviews_dir`` (a lookup table, synonyms and examples naming every
    review; the slots saying what herbot has read)."""
    sources.files()  # missing inputs are reported before anything is read
    if sources.examples is None:
        return Project(sources.domain, sources.data, sources.config,
                       {path: path.read_bytes() for path in [*_files_in(sources.domain), *_files_in(sources.data)]})
    root = settings.home / "bot"
    contents: dict[Path, bytes] = {}
    for source, target in ((sources.domain, root / "domain"), (sources.data, root / "data")):
        base = source if source.is_dir() else source.parent
        contents |= {target / path.relative_to(base): path.read_bytes() for path in _files_in(source)}
    for relative, text in _generated(settings, sources).items():
        contents[root / relative] = text.encode("utf-8")
    return Project(root / "domain", root / "data", sources.config, contents, root)


def _generated(settings: Settings, sources: BotSources) -> dict[Path, str]:
    from knowledge.ingest import ReviewFileError, load_corpus
    from knowledge.review_set import ReviewInfo

    try:
        metadata = _indexed_metadata(settings)
        if metadata is None:
            metadata = [review.metadata() for review in load_corpus(settings.reviews_dir)[0]]
        templates = bot_data.load_templates(sources.examples)
    except (ReviewFileError, ValueError) as error:
        raise TrainingError(f"cannot make the bot's review data: {error}") from None
    infos = [ReviewInfo.from_dict(row) for row in metadata]
    return bot_data.generated_files(infos, templates, bot_data.taken_texts(sources.data))


def _indexed_metadata(settings: Settings) -> list[dict] | None:
    """The reviews' metadata as the index keeps it, when the index was made from the review files there now
    (hashing them is quick; reading 10,000 reviews again took minutes of every start); None otherwise."""
    from knowledge import index
    from knowledge.ingest import review_digest, review_files

    try:
        manifest = index.read_manifest(settings.index_dir)
        files, _ = review_files(settings.reviews_dir)
        if not files or manifest["sources"] != {path.stem: review_digest(path) for path in files}:
            return None
        return index.read_reviews(settings.index_dir, manifest)[0]
    except (index.IndexUnavailable, OSError, ValueError, KeyError, TypeError):
        return None


def _files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")) if root.is_dir() else [root]


def custom_component_files(config: Path) -> list[Path]:
    """The source files of the config's own components (``module.Class`` names).

    A change to such a component changes the model as surely as a change to the data.
    """
    import importlib.util

    import yaml

    try:
        parsed = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return []  # Rasa reports the broken config with a better message
    entries = [*(parsed.get("pipeline") or []), *(parsed.get("policies") or [])] if isinstance(parsed, dict) else []
    files = []
    for entry in entries:
        name = entry.get("name", "") if isinstance(entry, dict) else ""
        if "." not in name:
            continue
        try:
            spec = importlib.util.find_spec(name.rsplit(".", 1)[0])
        except (ImportError, ValueError):
            continue
        if spec and spec.origin and Path(spec.origin).is_file():
            files.append(Path(spec.origin))
    return sorted(set(files))


def model_path(settings: Settings) -> Path:
    return settings.models_dir / f"{MODEL_NAME}.tar.gz"


def fingerprint(built: Project) -> str:
    """sha256 over the name and bytes of every file Rasa trains from (the generated ones too),
    of the config and its components, plus Rasa's version."""
    digest = hashlib.sha256(f"rasa {version('rasa')}\n".encode())
    _digest_files([built.config, *custom_component_files(built.config)], digest)
    for path, name in sorted(built.names().items(), key=lambda item: item[1]):
        digest.update(f"{name}\n".encode() + hashlib.sha256(built.contents[path]).digest())
    return digest.hexdigest()


def model_problem(settings: Settings, sources: BotSources | Project) -> str | None:
    """Why the model must be trained (missing, out of date, damaged), or None when it can be used."""
    built = sources if isinstance(sources, Project) else project(settings, sources)
    model, stamp = model_path(settings), _read_stamp(settings)
    if not model.is_file():
        return "no trained model yet"
    if stamp.get("fingerprint") != fingerprint(built):
        return "the bot changed since the last training"
    if "model_sha256" not in stamp:
        return "no checksum was recorded for the model (trained by an older herbot)"
    if stamp["model_sha256"] != file_sha256(model):
        return f"the model file {model} is damaged or half-written (its checksum is not the one recorded)"
    if stamp.get("encoder") != exported_identity(settings.encoder_dir):
        return "the sentence model changed since the last training"
    return None


def _components_digest(config: Path) -> str:
    return _digest_files(custom_component_files(config), hashlib.sha256())


def _digest_files(paths, digest) -> str:
    """Fold each file's shown name and the sha256 of its bytes into ``digest``."""
    for path in paths:
        digest.update(f"{_shown(path)}\n".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def train(settings: Settings, *, force: bool = False, sources: BotSources | None = None, out=None) -> TrainResult:
    """Train unless the model matches the sources (or ``force``); return where the model is."""
    out = out or sys.stdout
    sources = sources or BotSources.at()
    model = model_path(settings)
    ensure_exported(settings.encoder_dir, settings.embedding_model, out)  # the intent classifier encodes with it
    built = project(settings, sources)
    problem = "asked to retrain" if force else model_problem(settings, built)
    if problem is None:
        print(f"Rasa model up to date: {model}", file=out, flush=True)
        return TrainResult(model, trained=False, seconds=0.0)

    encoder = exported_identity(settings.encoder_dir)
    expected = fingerprint(built)
    built.write()
    log = settings.home / "logs" / "train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable, "-m", "rasa", "train",
        "--domain", str(built.domain), "--config", str(built.config), "--data", str(built.data),
        "--out", str(settings.models_dir), "--fixed-model-name", MODEL_NAME,
    ]
    components = _components_digest(built.config)
    stamp = _read_stamp(settings)
    if force or stamp.get("components", components) != components or stamp.get("encoder") != encoder:
        argv.append("--force")  # Rasa's cache knows a component by its name, not its code or its model
    print(f"Training the Rasa model: {problem} (a few minutes; full log: {log})", file=out, flush=True)
    started = time.monotonic()
    returncode, error = _run_condensed(argv, rasa_env(settings), settings.home, log, out)
    seconds = time.monotonic() - started
    if returncode != 0 or not model.is_file():
        reason = error or f"rasa exited with status {returncode}"
        raise TrainingError(f"training failed after {seconds:.0f} s: {reason} (full log: {log})")
    _stamp_path(settings).write_text(
        json.dumps({"fingerprint": expected, "components": components, "encoder": encoder, "rasa": version("rasa"),
                    "model_sha256": file_sha256(model), "seconds": round(seconds, 1)}) + "\n",
        encoding="utf-8",
    )
    print(f"Model trained in {seconds:.0f} s: {model}", file=out, flush=True)
    return TrainResult(model, trained=True, seconds=seconds)


def run(settings: Settings, *, force: bool = False) -> int:
    """``herbot train``: train, and stop Rasa too if herbot is interrupted or terminated."""
    with processes.stop_on_signals():
        try:
            train(settings, force=force)
        except processes.Stop:
            print("herbot: training interrupted", file=sys.stderr)
            return 130
    return 0


def rasa_env(settings: Settings) -> dict[str, str]:
    """The environment for a Rasa child: its cache under HERBOT_HOME, no telemetry."""
    # Telemetry off, always: nothing herbot runs may send data off this machine.
    return {**LIBRARY_ENVIRONMENT, **os.environ, "RASA_CACHE_DIRECTORY": str(settings.home / "rasa-cache"),
            "RASA_TELEMETRY_ENABLED": "false"}


def _run_condensed(argv: list[str], env: dict[str, str], cwd: Path, log: Path, out) -> tuple[int, str | None]:
    """Run Rasa, copying everything to ``log`` and a few telling lines to ``out``.

    Returns the exit status and, on failure, the error Rasa reported (one line).
    """
    import subprocess

    cwd.mkdir(parents=True, exist_ok=True)
    condenser = _Condenser(out)
    process = None
    with log.open("w", encoding="utf-8") as log_file:
        try:
            with processes.signals_held():
                process = processes.spawn(argv, env=env, cwd=cwd, output=subprocess.PIPE)
            # Text mode turns tqdm's carriage returns into line ends: one line per update.
            for line in _lines(process.stdout):
                log_file.write(line + "\n")
                condenser.feed(line)
            returncode = process.wait()
        finally:
            if process is not None:
                process.stdout.close()
                processes.stop(process, grace=5)
    condenser.finish()
    return returncode, None if returncode == 0 else condenser.error()


def _lines(stream):
    import io

    for raw in io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None):
        yield raw.rstrip("\n")


class _Condenser:
    """Picks the progress worth showing out of Rasa's chatty output."""

    def __init__(self, out) -> None:
        self.out = out
        self.epoch: tuple[str, str, str] | None = None  # the latest (epoch, epochs, accuracy)
        self.shown_decile = -1
        self.warnings = 0
        self.red_block: list[str] | None = None
        self.errors: list[str] = []
        self.last_lines: list[str] = []

    def feed(self, raw: str) -> None:
        if "\x1b[91m" in raw:  # Rasa prints its errors in red, possibly over several lines
            self.red_block = []
        line = _ANSI.sub("", raw).rstrip()
        if self.red_block is not None:
            self.red_block.append(line)
            if "\x1b[0m" in raw:
                self.errors.append(" ".join(" ".join(self.red_block).split()))
                self.red_block = None
            return
        if not line.strip():
            return
        if self.epoch and not line.startswith("Epochs:"):
            self._show_epoch()
        self.last_lines = (self.last_lines + [line])[-5:]
        if "UserWarning:" in line:
            self.warnings += 1
        elif match := _COMPONENT.search(line):
            self.shown_decile = -1
            self._show(f"  training {match.group(1)}")
        elif match := _EPOCHS.match(line):
            # tqdm redraws the bar several times per epoch; the metrics come with the last draw.
            epoch, epochs, accuracy = match.groups()
            if self.epoch and self.epoch[0] != epoch:
                self._show_epoch()
            if accuracy:
                self.epoch = (epoch, epochs, accuracy)
            return
        elif " ERROR " in line or _EXCEPTION.match(line):
            self.errors.append(line.strip())

    def _show_epoch(self) -> None:
        """Show an epoch's metrics about every tenth of the way."""
        epoch, epochs, accuracy = self.epoch
        self.epoch = None
        decile = 10 * int(epoch) // max(int(epochs), 1)
        if decile > self.shown_decile:
            self.shown_decile = decile
            self._show(f"    epoch {epoch}/{epochs}: intent accuracy {accuracy}")

    def finish(self) -> None:
        if self.epoch:
            self._show_epoch()
        if self.red_block:
            self.errors.append(" ".join(" ".join(self.red_block).split()))
        if self.warnings:
            self._show(f"  Rasa gave {self.warnings} warning(s); they are in the log")

    def error(self) -> str | None:
        if self.errors:
            return self.errors[-1]
        return self.last_lines[-1].strip() if self.last_lines else None

    def _show(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _stamp_path(settings: Settings) -> Path:
    return settings.models_dir / f"{MODEL_NAME}.fingerprint.json"


def _read_stamp(settings: Settings) -> dict:
    """What the last successful training recorded (empty if nothing usable)."""
    try:
        stamp = json.loads(_stamp_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it (stable across checkouts)."""
    try:
        return str(path.relative_to(BOT_DIR.parent))
    except ValueError:
        return str(path)
