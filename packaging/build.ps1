<#
.SYNOPSIS
  Windows: build the bundle and the per-user installer.

.DESCRIPTION
  powershell -ExecutionPolicy Bypass -File packaging\build.ps1 [-NoInstaller]

  1. dist\customer-viewer\  (PyInstaller, packaging\customer-viewer.spec): customer-viewer-gui.exe
     (windowed, for the Start menu) and customer-viewer.exe (console: lookup, --self-test)
  2. dist\customer-viewer-VERSION-windows-x64-setup.exe  (Inno Setup, packaging\windows\customer-viewer.iss)

  Needs: Python 3.11+ with the locked build requirements
  (python -m pip install --require-hashes --only-binary :all: -r packaging\requirements-build.txt;
  .venv\Scripts\python.exe is used when present, $env:PYTHON overrides), and for the installer Inno Setup 6
  (choco install innosetup, or winget install JRSoftware.InnoSetup).

  Signing runs when WINDOWS_CERT_PFX (a .pfx file path, or the .pfx itself as base64) and
  WINDOWS_CERT_PASSWORD are set: signtool.exe from the Windows SDK signs both programs, the
  installer and its uninstaller (timestamp server: WINDOWS_TIMESTAMP_URL, default DigiCert).
  Without them nothing is signed, and SmartScreen warns on the first start.
#>
param([switch]$NoInstaller)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
function Invoke-Checked([string]$Program, [string[]]$Arguments) {
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program failed (exit code $LASTEXITCODE)" }
}

function Find-Program([string]$Name, [string[]]$Candidates) {
    $found = Get-Command $Name -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($found) { return $found.Path }
    foreach ($candidate in $Candidates) {
        $match = Get-ChildItem $candidate -ErrorAction SilentlyContinue | Sort-Object FullName -Descending | Select-Object -First 1
        if ($match) { return $match.FullName }
    }
    return $null
}

$pfx = $null
$temporaryPfx = $false
Push-Location (Split-Path -Parent $PSScriptRoot)  # the repository, until the end
try {
    $python = if ($env:PYTHON) { $env:PYTHON } elseif (Test-Path '.venv\Scripts\python.exe') { '.venv\Scripts\python.exe' } else { 'python' }
    $version = [regex]::Match((Get-Content 'viewer\__init__.py' -Raw), '__version__\s*=\s*"([^"]+)"').Groups[1].Value
    if (-not $version) { throw 'No __version__ found in viewer\__init__.py' }
    # Windows version resources want up to four numbers: 1.2.0rc1 -> 1.2.0.1
    $numeric = ([regex]::Matches($version, '\d+') | Select-Object -First 4 | ForEach-Object { $_.Value }) -join '.'

    # -- 1. the bundle ----------------------------------------------------------------------------
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Checked $python @('packaging\make_icons.py', '--missing-only')
    if (Test-Path 'dist\customer-viewer') { Remove-Item -Recurse -Force 'dist\customer-viewer' }
    Invoke-Checked $python @('-m', 'PyInstaller', '--noconfirm', '--clean', '--log-level', 'WARN',
        '--distpath', 'dist', '--workpath', 'build\pyinstaller', 'packaging\customer-viewer.spec')
    $megabytes = (Get-ChildItem 'dist\customer-viewer' -Recurse -File | Measure-Object Length -Sum).Sum / 1MB
    Write-Host ('build: customer-viewer {0} in {1:N0} s, dist\customer-viewer is {2:N0} MB' -f $version, $clock.Elapsed.TotalSeconds, $megabytes)

    # -- signing (optional) -----------------------------------------------------------------------
    $signtool = $null
    $timestamp = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }
    if ($env:WINDOWS_CERT_PFX) {
        $signtool = Find-Program 'signtool.exe' @("${env:ProgramFiles(x86)}\Windows Kits\10\bin\10.*\x64\signtool.exe")
        if (-not $signtool) { throw 'WINDOWS_CERT_PFX is set but signtool.exe (Windows SDK) was not found' }
        if ($env:WINDOWS_CERT_PFX.Length -lt 260 -and (Test-Path -LiteralPath $env:WINDOWS_CERT_PFX)) {
            $pfx = (Resolve-Path -LiteralPath $env:WINDOWS_CERT_PFX).Path
        } else {
            $pfx = Join-Path ([IO.Path]::GetTempPath()) ('customer-viewer-{0}.pfx' -f [guid]::NewGuid())
            [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_CERT_PFX))
            $temporaryPfx = $true
        }
    }

    if ($pfx) {
        Invoke-Checked $signtool @('sign', '/f', $pfx, '/p', "$env:WINDOWS_CERT_PASSWORD", '/fd', 'sha256',
            '/tr', $timestamp, '/td', 'sha256',
            'dist\customer-viewer\customer-viewer.exe', 'dist\customer-viewer\customer-viewer-gui.exe')
    } else {
        Write-Host 'build: WINDOWS_CERT_PFX not set: not signing'
    }

    # -- 2. the installer -------------------------------------------------------------------------
    if ($NoInstaller) { return }
    $iscc = Find-Program 'iscc.exe' @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
        "$env:ProgramFiles\Inno Setup 6\ISCC.exe", "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe")
    if (-not $iscc) { throw 'Inno Setup 6 (ISCC.exe) not found: choco install innosetup, or winget install JRSoftware.InnoSetup' }
    $isccArguments = @('/Qp', "/DAppVersion=$version", "/DNumericVersion=$numeric")
    if ($pfx) {
        # Inno Setup's sign tool command: $q is a quote, $f the file to sign, $$ a dollar sign.
        $password = "$env:WINDOWS_CERT_PASSWORD".Replace('$', '$$')
        $isccArguments += '/DSign'
        $isccArguments += ('/Ssigntool=$q' + $signtool + '$q sign /f $q' + $pfx + '$q /p $q' + $password +
            '$q /fd sha256 /tr ' + $timestamp + ' /td sha256 $f')
    }
    $isccArguments += 'packaging\windows\customer-viewer.iss'
    Invoke-Checked $iscc $isccArguments
    $installer = Get-Item "dist\customer-viewer-$version-windows-x64-setup.exe"
    Write-Host ('installer: {0} ({1:N0} MB)' -f $installer.FullName, ($installer.Length / 1MB))
} finally {
    if ($temporaryPfx) { Remove-Item -Force $pfx -ErrorAction SilentlyContinue }
    Pop-Location
}
