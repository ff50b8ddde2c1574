import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';

/** Every method of every controller the app registered, for tests that walk the routes' metadata. */
export function* controllerMethods(app: INestApplication): Generator<{ controller: Type<unknown>; name: string }> {
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type<unknown>;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        if (name !== 'constructor') yield { controller, name };
      }
    }
  }
}
