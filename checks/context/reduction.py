"""Build context reduction: how much less the `.dockerignore` makes `docker build` send.

What it checks:
    Every file of the build context (the Dockerfile's folder, or the environment's
    `context`) is counted twice: all of them, and those that Docker's matcher lets through
    the ignore file BuildKit would use (`<Dockerfile>.dockerignore`, else the context's
    `.dockerignore`). The reduction is the share of bytes left out, in percent, with the
    file counts and byte totals as evidence. Sizes come from the file system; nothing is
    read, built or sent. Bound on a sentence that states a percentage ("約80%"), the
    reading is judged against it (約: within ±25%, so 60%–100%; a range: both ends
    included) and a reading outside it contradicts the text; a binding's `limit`
    (`{limit: ">= 80%"}`) wins over the text. Files that only exist on a developer's
    machine (a local `.venv`, `.git`) are not in the target and are not counted.

Why it matters:
    The whole context is sent to the builder before the first instruction runs; a context
    of gigabytes (virtual environments, Git history) makes every build slow and risks
    copying secrets into the image.

How to fix:
    Add the folders the image does not need to `.dockerignore` (see the guide's list and
    the `dockerignore.excludes` check).
"""

from __future__ import annotations

from checklists import Environment, Evidence, Kind, Outcome, Target, metric
from checks.common import context_of, ignore_file, relative_to


@metric("context.reduction", unit=Kind.PERCENT, severity="low")
def reduction(
    target: Target,
    *,
    environment: Environment | None = None,
    dockerfile: str = "Dockerfile",
    context: str | None = None,
) -> Outcome:
    if environment is not None:
        dockerfile = str(environment.options.get("dockerfile", dockerfile))
        context = environment.options.get("context", context)
    folder = context_of(dockerfile, context)
    ignore = ignore_file(target, dockerfile, folder)
    matcher = ignore.matcher
    files = list(target.files(folder))
    sizes = {path: target.size(path) for path in files}
    sent = [path for path in files if not matcher.matches(relative_to(folder, path))]
    total, kept = sum(sizes.values()), sum(sizes[path] for path in sent)
    if total == 0:
        return Outcome.unknown(f"the build context {folder}/ is empty", Evidence("no files"))
    percent = 100.0 * (total - kept) / total
    return Outcome.measured(
        percent,
        f"{folder}/: {len(files)} files, {total:,} bytes; sent: {len(sent)} files, {kept:,} bytes",
        Evidence(
            f"{len(files) - len(sent)} of {len(files)} files left out by "
            f"{ignore.path or 'no ignore file'}",
            path=ignore.path or folder,
        ),
        Evidence(f"{total - kept:,} of {total:,} bytes are not sent", path=folder),
    )
