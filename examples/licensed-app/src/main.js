#!/usr/bin/env node
// @ts-check
// The application's start: CheckLicense before any work, as every licensed program should.
//   licensed-app                    check the license, then run
//   licensed-app activate <serial>  bind a serial number to this computer (online)
import { openLicense } from './license.js';

/**
 * @param {{ code: string, message: string }} error
 * @returns {never}
 */
function refuse(error) {
  console.error(`licensed-app: not licensed: ${error.message} (${error.code})`);
  process.exit(1);
}

/**
 * @param {string} message
 * @returns {never}
 */
function usage(message) {
  console.error(`licensed-app: ${message}\nUsage: licensed-app [activate <serial>]`);
  process.exit(2);
}

const license = await openLicense(process.env);
const [command, serial] = process.argv.slice(2);

if (command === 'activate') {
  if (serial === undefined) usage('Give the serial number to activate.');
  const activated = await license.activate(serial);
  if (!activated.ok) refuse(activated.error);
  console.log(`licensed-app: activated ${activated.value.status.serial} on this computer`);
} else if (command === undefined) {
  const run = await license.check();
  if (!run.ok) refuse(run.error);
  const { mode, online, status } = run.value;
  if (mode === 'grace')
    console.warn(`licensed-app: offline, ${run.value.grace?.daysLeft} day(s) of grace left`);
  const how = online ? 'checked online' : 'verified offline';
  const who = mode === 'evaluation' ? `evaluation, ${status.evaluation.daysLeft} day(s) left` : status.serial;
  console.log(`licensed-app: license valid (${mode}: ${who}, ${how})`);
  console.log('licensed-app: doing the licensed work');
} else {
  usage(`Unknown command "${command}".`);
}
