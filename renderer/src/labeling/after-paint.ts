/**
 * Runs `task` once the next frame has been painted: work that does not change what the next
 * frame shows (prefetching the images after the one shown, say) stays off the path from a key
 * to that frame. A message posted from a requestAnimationFrame callback is handled after the
 * frame's style, layout and paint.
 */
export function afterNextPaint(task: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      // A timer, so that what else the frame queued (its own after-paint messages) runs first.
      setTimeout(task, 0);
    };
    channel.port2.postMessage(null);
  });
}
