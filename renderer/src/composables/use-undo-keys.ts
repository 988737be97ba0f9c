/**
 * Undo and redo of the project's edits from a view other than the labeler (Targets, the
 * Dataset grid's bulk edits): Ctrl+Z undoes, Ctrl+Shift+Z or Ctrl+Y redoes, outside text
 * fields and dialogs, and the view's toast says what was replayed and offers the way back.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { api } from '../api';
import { replayMessage } from '../replay-message';
import { isTextEntry, modalOpen } from './use-global-keys';
import type { useToast } from './use-toast';

export type ReplayKind = 'undo' | 'redo';

export function useUndoKeys(toast: ReturnType<typeof useToast>, after: () => Promise<void> = async () => {}): (kind: ReplayKind) => Promise<void> {
  async function replay(kind: ReplayKind): Promise<void> {
    try {
      const result = kind === 'undo' ? await api.annotations.undo({}) : await api.annotations.redo({});
      const back: ReplayKind = kind === 'undo' ? 'redo' : 'undo';
      toast.show(replayMessage(kind, result), {
        action: result.description ? { label: back === 'redo' ? 'Redo' : 'Undo', run: () => void replay(back) } : undefined,
      });
      await after();
    } catch (e) {
      toast.show((e as Error).message, { tone: 'error' });
    }
  }

  function onKey(event: KeyboardEvent): void {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || isTextEntry(event.target) || modalOpen()) return;
    const key = event.key.toLowerCase();
    if (key !== 'z' && key !== 'y') return;
    event.preventDefault();
    void replay(key === 'y' || event.shiftKey ? 'redo' : 'undo');
  }
  onMounted(() => window.addEventListener('keydown', onKey));
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
  return replay;
}
