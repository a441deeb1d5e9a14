; Inno Setup 6: the per-user Windows installer of Customer Interaction Viewer.
;
;   packaging\build.ps1 builds dist\customer-viewer and then runs, in effect:
;   iscc /DAppVersion=0.1.0 /DNumericVersion=0.1.0 packaging\windows\customer-viewer.iss
;   -> dist\customer-viewer-0.1.0-windows-x64-setup.exe
;
; No administrator rights: installs into %LOCALAPPDATA%\Programs\Customer Interaction Viewer
; with a Start-menu shortcut to the windowed program (customer-viewer-gui.exe); the console
; program customer-viewer.exe beside it runs the command line (lookup, --self-test).
; Upgrades: the fixed AppId finds the installed copy and replaces its program files in place.
; What the program keeps lives elsewhere and is never touched, by an upgrade or an uninstall:
; settings and cache in %LOCALAPPDATA%\customer-viewer (platformdirs), passwords and tokens
; in Windows Credential Locker. Uninstalling removes exactly the files installed here.
; Signing: build.ps1 passes /DSign and a "signtool" command when WINDOWS_CERT_PFX is set.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z customer-viewer.iss (packaging\build.ps1 does)
#endif
#ifndef NumericVersion
  #define NumericVersion AppVersion
#endif
#define AppName "Customer Interaction Viewer"
#define GuiExe "customer-viewer-gui.exe"
#define Bundle "..\..\dist\customer-viewer"

[Setup]
; Never change the AppId: it is how an upgrade finds the copy already installed.
AppId={{2DCEF0FE-BE72-4717-9F1B-E19F99210CD4}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#NumericVersion}
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=yes
UsePreviousAppDir=yes
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#GuiExe}
SetupIconFile=..\..\resources\app-icon.ico
OutputDir=..\..\dist
OutputBaseFilename=customer-viewer-{#AppVersion}-windows-x64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; A running copy is asked to close (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle, so no library of an older version lingers beside it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; Tasks: desktopicon

[Registry]
; Screen-pop: customer-viewer:// links open the program, for this user only (HKCU, no
; administrator rights). "open --" hands the link to the window already running (or starts
; one); after "--" a link can only ever be the one argument, never an option. Uninstalling
; removes the keys.
Root: HKCU; Subkey: "Software\Classes\customer-viewer"; ValueType: string; ValueName: ""; ValueData: "URL:Customer Interaction Viewer link"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\customer-viewer"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\customer-viewer\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"",0"
Root: HKCU; Subkey: "Software\Classes\customer-viewer\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"" open -- ""%1"""
; tel: links are only offered, never taken: the program is listed under Settings → Apps →
; Default apps → tel, and looks tel: numbers up only once the agent turns on Search → Open
; tel: links (off by default).
Root: HKCU; Subkey: "Software\Classes\CustomerViewer.tel"; ValueType: string; ValueName: ""; ValueData: "Customer Interaction Viewer tel: link"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\CustomerViewer.tel\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#GuiExe}"" open -- ""%1"""
Root: HKCU; Subkey: "Software\CustomerViewer"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\CustomerViewer\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\CustomerViewer\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Looks a caller up in Capillary and Ctrl-Hub"
Root: HKCU; Subkey: "Software\CustomerViewer\Capabilities\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "CustomerViewer.tel"
Root: HKCU; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "Software\CustomerViewer\Capabilities"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
