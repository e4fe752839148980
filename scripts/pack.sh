#!/usr/bin/env bash
# Packs GenRec as NuGet packages into artifacts/packages, builds the samples against them (as a user's project
# would consume them) and runs the console sample; with --tool also packs GenRec.Cli as a .NET tool, installs it
# from that folder and runs `genrec --help`.
#   scripts/pack.sh            # GenRec + GenRec.AspNetCore, samples built, console sample run on the bundled data
#   scripts/pack.sh --tool     # and the genrec tool (a ~300 MB package: libtorch and the sentence models inside)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$root/artifacts/packages"
rm -rf "$out"
mkdir -p "$out"
# Each pack its own version, so that NuGet's cache never hands a sample an older pack of the same version.
base="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props)"
version="${GENREC_PACK_VERSION:-$base-dev.$(date -u +%Y%m%d%H%M%S)}"
for project in GenRec GenRec.AspNetCore GenRec.DuckDb; do
  dotnet pack "src/$project/$project.csproj" -c Release -o "$out" --nologo -v q -p:Version="$version"
done
ls -1 "$out"

# The samples restore GenRec from artifacts/packages (samples/NuGet.config), everything else from NuGet.
dotnet build samples/ConsoleSample -c Release --nologo -v q -p:GenRecVersion="$version"
dotnet build samples/WebSample -c Release --nologo -v q -p:GenRecVersion="$version"
dotnet run --project samples/ConsoleSample -c Release --no-build -- data/ml-latest-small "${GENREC_SAMPLE_EPOCHS:-2}"

if [ "${1:-}" = "--tool" ]; then
  # A framework-dependent tool for linux-x64, where its libtorch runs.
  dotnet pack src/GenRec.Cli/GenRec.Cli.csproj -c Release -o "$out" --nologo -v q -p:Version="$version"
  tools="$root/artifacts/tool"
  rm -rf "$tools"
  dotnet tool install --tool-path "$tools" --add-source "$out" GenRec.Cli --version "$version"
  "$tools/genrec" --help | sed -n '4,6p'
  "$tools/genrec" --version
fi
