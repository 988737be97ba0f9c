import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/**
 * Files dragged from the desktop onto the window: `over` while they hover (the page shows where
 * they go), and `onDrop` with the drop's DataTransfer, read during the event as it must be.
 * Drags that carry no files (text, a tile) are left alone; a file dropped anywhere never makes
 * the browser or Electron open it in place of the app.
 */
export function useFileDrop(onDrop: (transfer: DataTransfer) => void): { over: Ref<boolean> } {
  const over = ref(false);
  let depth = 0;
  const carriesFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  const enter = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    depth++;
    over.value = true;
  };
  const leave = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) over.value = false;
  };
  const dragover = (e: DragEvent) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  };
  const drop = (e: DragEvent) => {
    if (!carriesFiles(e) || !e.dataTransfer) return;
    e.preventDefault();
    depth = 0;
    over.value = false;
    onDrop(e.dataTransfer);
  };
  onMounted(() => {
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', dragover);
    window.addEventListener('drop', drop);
  });
  onBeforeUnmount(() => {
    window.removeEventListener('dragenter', enter);
    window.removeEventListener('dragleave', leave);
    window.removeEventListener('dragover', dragover);
    window.removeEventListener('drop', drop);
  });
  return { over };
}
