/**
 * Runs `task` as soon as the next frame has been painted: a message posted from a
 * requestAnimationFrame callback is handled after that frame's style, layout and paint.
 */
export function onNextPaint(task: () => void): void {
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      task();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Runs `task` once the next frame has been painted and what that frame queued has run: work
 * that does not change what the next frame shows (prefetching the images after the one shown,
 * say) stays off the path from a key to that frame.
 */
export function afterNextPaint(task: () => void): void {
  // A timer, so that what else the frame queued (its own on-paint messages) runs first.
  onNextPaint(() => setTimeout(task, 0));
}
