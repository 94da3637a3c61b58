export * from './core';
export * from './storage';
export * from './postgres';
export * from './kafka';
