/** The window message that carries the training renderer's MessagePort (host → preload → page). */
export const PORT_MESSAGE = 'polyhead-training-port';
