/**
 * Several layers of one run (protocol revision 1.1): each (run, layer) is its own stream of epochs,
 * projected and audited apart. The run's first layer keeps the run's own name, so a one-layer run
 * (every 1.0 producer) looks exactly as before; a further layer's epochs, layouts and alerts carry
 * the name RUN/LAYER.
 */

/** Name of the stream of `layer` in `run`, whose first layer (the layer of its first hello) is `first`. */
export function streamName(run: string, layer: string, first: string): string {
  return layer === first ? run : `${run}/${layer}`;
}
