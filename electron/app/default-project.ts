import os from 'node:os';
import path from 'node:path';

/**
 * Where the default project lives: the same folder Electron's app.getPath('userData')
 * gives for productName "Polyhead", so the desktop app and `polyhead serve` share it.
 * POLYHEAD_HOME overrides it.
 */
export function defaultUserDataDir(): string {
  if (process.env.POLYHEAD_HOME) return path.resolve(process.env.POLYHEAD_HOME);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Polyhead');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Polyhead');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Polyhead');
}

export function defaultProjectDir(userDataDir = defaultUserDataDir()): string {
  return path.join(userDataDir, 'projects', 'default');
}
