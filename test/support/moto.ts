export * from '../../sandbox/moto.ts';
