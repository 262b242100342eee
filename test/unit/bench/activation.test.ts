import { describe, expect, it } from 'vitest';
import { activationFigures } from '../../../bench/storm/activation.js';

describe('activationFigures', () => {
  it('measures the pipeline from power-on to the last activation, apart from the devices coming online', () => {
    const start = 1_000_000;
    // 11 activations, one every 100 ms from 1 s after power-on: 10/s once under way.
    const activatedAt = Array.from({ length: 11 }, (_, i) => start + 1000 + i * 100);

    const figures = activationFigures(activatedAt.reverse(), start, 5, 10);

    expect(figures).toEqual({ firstS: 1, lastS: 2, ratio: 0.55, steadyPerSecond: 10, tailS: 3 });
  });

  it('has nothing to say when nothing was activated', () => {
    expect(activationFigures([], 0, 10, 10)).toBeUndefined();
  });
});
