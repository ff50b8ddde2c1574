import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isAdmin } from '../managers/actor';
import { ManagersService } from '../managers/managers.service';
import './session.types';

/** Thrown when a dashboard page needs a signed-in manager; answered with a redirect to login. */
export class LoginRequiredException extends HttpException {
  constructor() {
    super('Sign in to continue', HttpStatus.UNAUTHORIZED);
  }
}

/** Puts the signed-in manager on `request.actor`, or sends the browser to /dashboard/login. */
@Injectable()
export class DashboardAuthGuard implements CanActivate {
  constructor(private readonly managers: ManagersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const managerId = request.session?.managerId;
    const actor = managerId ? await this.managers.findActor(managerId) : null;
    if (!actor) throw new LoginRequiredException();
    request.actor = actor;
    return true;
  }
}

@Injectable()
export class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const actor = context.switchToHttp().getRequest<FastifyRequest>().actor;
    if (!actor || !isAdmin(actor)) throw new ForbiddenException('Only admins can manage managers');
    return true;
  }
}
