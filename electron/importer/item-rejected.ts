/** A problem with one input item; the import reports it and goes on. */
export class ItemRejected extends Error {}
