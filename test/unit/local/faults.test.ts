import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultInjector, parseFaultSpec, seededRandom } from '../../../local/faults.js';

describe('parseFaultSpec', () => {
  it('reads rate, ops and kinds', () => {
    const plan = parseFaultSpec('rate=0.1,ops=UpdateCertificate|CreateThing,kinds=throttle|500|timeout|drop-event');
    expect(plan.rate).toBe(0.1);
    expect([...(plan.ops ?? [])]).toEqual(['UpdateCertificate', 'CreateThing']);
    expect(plan.kinds).toEqual(['throttle', '500', 'timeout', 'drop-event']);
  });

  it('applies to every operation without ops, and defaults the kinds to throttle and 500', () => {
    const plan = parseFaultSpec('rate=1');
    expect(plan.ops).toBeUndefined();
    expect(plan.kinds).toEqual(['throttle', '500']);
  });

  it.each([
    ['', 'rate is required'],
    ['rate=1.5', 'rate must be'],
    ['rate=-0.1', 'rate must be'],
    ['rate=0.1,kinds=meteor', 'unknown kind'],
    ['rate=0.1,colour=red', 'unknown key'],
    ['rate', 'expected key=value'],
    ['rate=0.1,ops=Create Thing', 'ops must be'],
  ])('refuses %j with code BAD_FAULT_SPEC', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(
      expect.objectContaining({ code: 'BAD_FAULT_SPEC', message: expect.stringContaining(message) }),
    );
  });

  it('never throws anything but a coded error, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (spec) => {
        try {
          parseFaultSpec(spec);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('BAD_FAULT_SPEC');
        }
      }),
    );
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const values = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('FaultInjector', () => {
  it('injects faults only into the listed operations', () => {
    const injector = new FaultInjector(parseFaultSpec('rate=1,ops=CreateThing,kinds=500'), 1);
    expect(injector.apiFault('CreateThing')).toBe('500');
    expect(injector.apiFault('DescribeThing')).toBeUndefined();
  });

  it('injects at about the given rate', () => {
    const injector = new FaultInjector(parseFaultSpec('rate=0.25,kinds=throttle'), 3);
    const hits = Array.from({ length: 4000 }, () => injector.apiFault('X')).filter(Boolean).length;
    expect(hits).toBeGreaterThan(800);
    expect(hits).toBeLessThan(1200);
  });

  it('decides the same registration-event drops and duplicates for the same seed', () => {
    const spec = parseFaultSpec('rate=0.5,kinds=drop-event|dup-event');
    const run = (seed: number) => {
      const injector = new FaultInjector(spec, seed);
      return Array.from({ length: 64 }, () => [injector.shouldDropEvent(), injector.shouldDuplicateEvent()]);
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
    expect(run(9).flat()).toContain(true);
  });

  it('keeps API and event decisions independent', () => {
    const spec = parseFaultSpec('rate=0.5,kinds=500|drop-event');
    const quiet = new FaultInjector(spec, 5);
    const busy = new FaultInjector(spec, 5);
    for (let i = 0; i < 50; i++) busy.apiFault('CreateThing');
    const drops = (injector: FaultInjector) => Array.from({ length: 32 }, () => injector.shouldDropEvent());
    expect(drops(busy)).toEqual(drops(quiet));
  });

  it('injects nothing without a plan, and no event faults unless asked', () => {
    expect(new FaultInjector(undefined).apiFault('CreateThing')).toBeUndefined();
    const apiOnly = new FaultInjector(parseFaultSpec('rate=1,kinds=500'));
    expect(apiOnly.shouldDropEvent()).toBe(false);
    expect(apiOnly.shouldDuplicateEvent()).toBe(false);
  });

  it('holds the next call of an operation on a resource once, when asked to', () => {
    const faults = new FaultInjector(undefined);
    faults.delayNext('PutParameter', 1_500, '/jitr/dev/fleet-config');

    expect(faults.takeDelay('PutParameter', '/jitr/dev/fleet-config.lock')).toBeUndefined();
    expect(faults.takeDelay('GetParameter', '/jitr/dev/fleet-config')).toBeUndefined();
    expect(faults.takeDelay('PutParameter', '/jitr/dev/fleet-config')).toBe(1_500);
    expect(faults.takeDelay('PutParameter', '/jitr/dev/fleet-config')).toBeUndefined();
  });
});
