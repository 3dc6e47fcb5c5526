#!/bin/sh
# azd postdeploy hook: publishes the runner (self-contained linux-x64, with its native helpers
# rce-launch, rce-init and rce-setup and the static rce-bwrap) and uploads it as one blob; every
# runner VM polls that blob (rce-runner-update, every 5 minutes and at boot) and restarts its
# runner on a new one. Authentication is the azd login
# (`azd auth token`), which provisioning granted Storage Blob Data Contributor on that container
# (AZURE_PRINCIPAL_ID). Needs: dotnet (the repository's SDK), curl, python3, tar.
set -eu

: "${RUNNER_PACKAGE_URL:?RUNNER_PACKAGE_URL is not set: run azd provision first}"
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The runner ships the static bubblewrap beside its launcher (tools/bwrap/build.sh says why).
if [ ! -x "$root/.rce/bwrap/bwrap" ]; then
  echo "rce: building the static bubblewrap" >&2
  "$root/tools/bwrap/build.sh" "$root/.rce/bwrap/bwrap"
fi

echo "rce: publishing the runner (linux-x64, self-contained)" >&2
# --artifacts-path: a RID-specific restore must not rewrite the checkout's obj/ folders.
dotnet publish "$root/functions/Rce.Runner" -c Release -r linux-x64 --self-contained \
  -o "$work/runner" --artifacts-path "$work/artifacts" -nologo -v:q
tar -czf "$work/runner.tar.gz" -C "$work/runner" .

token=$(azd auth token --output json --scope https://storage.azure.com/.default \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "rce: uploading $(du -h "$work/runner.tar.gz" | cut -f1) to $RUNNER_PACKAGE_URL" >&2
curl -sSf -T "$work/runner.tar.gz" \
  -H "Authorization: Bearer $token" \
  -H "x-ms-version: 2021-08-06" \
  -H "x-ms-blob-type: BlockBlob" \
  -H "Content-Type: application/gzip" \
  "$RUNNER_PACKAGE_URL" >/dev/null
echo "rce: runner package uploaded; runner VMs pick it up within 5 minutes" >&2
