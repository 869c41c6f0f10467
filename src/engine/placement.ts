/**
 * Placing points that the layout optimisation did not move (unsampled rows, the test split):
 * start from the encoder's position and add the fuzzy-weighted mean displacement (refined minus
 * encoder position) of the point's nearest refined neighbours in input space. A smooth warp: it
 * keeps the encoder's local arrangement and follows the refinement's corrections.
 */
import type { KnnResult } from './knn.js';
import { smoothKnn } from './fuzzy-graph.js';

/**
 * @param enc encoder positions of the points to place, n*2
 * @param nn their neighbours among the anchors (indices into the anchor arrays)
 * @param anchorEnc encoder positions of the anchors, a*2
 * @param anchorPos refined positions of the anchors, a*2
 * @returns n*2 placed positions
 */
export function placeByDisplacement(enc: Float32Array, nn: KnnResult, anchorEnc: Float32Array, anchorPos: Float32Array): Float32Array {
  const n = enc.length / 2;
  if (nn.indices.length !== n * nn.k) throw new Error(`placeByDisplacement: neighbour lists for ${nn.indices.length / nn.k} points, ${n} to place`);
  if (anchorEnc.length !== anchorPos.length) throw new Error('placeByDisplacement: anchor arrays differ in length');
  const s = smoothKnn(nn);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    let dx = 0;
    let dy = 0;
    let sw = 0;
    for (let t = 0; t < nn.k; t++) {
      const j = nn.indices[i * nn.k + t];
      if (j < 0) continue;
      const d = nn.distances[i * nn.k + t] - s.rho[i];
      const w = d > 0 ? Math.exp(-d / s.sigma[i]) : 1;
      dx += w * (anchorPos[2 * j] - anchorEnc[2 * j]);
      dy += w * (anchorPos[2 * j + 1] - anchorEnc[2 * j + 1]);
      sw += w;
    }
    out[2 * i] = enc[2 * i] + (sw > 0 ? dx / sw : 0);
    out[2 * i + 1] = enc[2 * i + 1] + (sw > 0 ? dy / sw : 0);
  }
  return out;
}
